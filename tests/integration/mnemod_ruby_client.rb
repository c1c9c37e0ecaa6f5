# Dalli (binary protocol: Debian's 3.0.6 speaks nothing else) against mnemod: set/get/delete/
# incr/get_multi, add/replace, CAS, append and Marshal-serialised values.
# Usage: ruby mnemod_ruby_client.rb HOST PORT. Exits 1 on the first wrong answer.
require 'dalli'

host, port = ARGV
def check(condition, what)
  return if condition
  warn "FAIL: #{what}"
  exit 1
end

dc = Dalli::Client.new("#{host}:#{port}", namespace: 'ruby', socket_timeout: 5,
                       socket_max_failures: 1, down_retry_delay: 60)
check(dc.set('k', 'hello'), 'set')
check(dc.get('k') == 'hello', 'get')
check(dc.get('missing').nil?, 'get miss')
check(!dc.add('k', 'x'), 'add on an existing key')
check(dc.add('new', 'x'), 'add')
check(dc.replace('new', 'y'), 'replace')
# Dalli 3.0.6 answers a refused replace with 0 (memcached's reply gives the same), not false.
check([false, nil, 0].include?(dc.replace('absent', 'y')) && dc.get('absent').nil?,
      'replace a missing key')
check(dc.set('hash', { 'a' => [1, 2] }), 'set a Marshal-ed hash')
check(dc.get('hash') == { 'a' => [1, 2] }, 'hash back through flags')

check(dc.set('n', '10', nil, raw: true), 'set counter')
check(dc.incr('n', 5) == 15, 'incr')
check(dc.decr('n', 20) == 0, 'decr floors at 0')
check(dc.incr('absent', 1).nil?, 'incr a missing key')
check(dc.incr('created', 1, nil, 7) == 7, 'incr with an initial value')

value, cas = dc.get_cas('k')
check(value == 'hello' && cas.positive?, 'get_cas')
check(dc.set_cas('k', 'v2', cas), 'cas with the current token')
check(!dc.set_cas('k', 'v3', cas), 'cas with a stale token')
check(dc.set('raw', 'v', nil, raw: true) && dc.append('raw', '+tail'), 'append')
check(dc.get('raw', raw: true) == 'v+tail', 'appended value')

many = { 'm1' => 'one', 'm2' => 'two', 'm3' => 'three' }
many.each { |k, v| check(dc.set(k, v), "set #{k}") }
check(dc.get_multi('m1', 'm2', 'm3', 'none') == many, 'get_multi')

check(dc.delete('k'), 'delete')
check(!dc.delete('k'), 'delete a missing key')
check(dc.get('k').nil?, 'deleted')
check(dc.touch('m1', 100), 'touch')
check(dc.version.values.first == '1.6.18', 'version')
puts 'dalli (binary): ok'
