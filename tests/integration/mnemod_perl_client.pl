#!/usr/bin/perl
# Cache::Memcached::Fast (its own ASCII implementation) against mnemod: set/get/delete/incr/
# get_multi, add/replace, gets/cas, append, and flags-carried serialisation.
# Usage: perl mnemod_perl_client.pl HOST PORT. Exits 1 on the first wrong answer.
use strict;
use warnings;
use Cache::Memcached::Fast;

my ($host, $port) = @ARGV;
my $m = Cache::Memcached::Fast->new({
  servers => ["$host:$port"], connect_timeout => 5, io_timeout => 5, namespace => 'perl:',
});

sub check {
  my ($condition, $what) = @_;
  return if $condition;
  print STDERR "FAIL: $what\n";
  exit 1;
}

check($m->set('k', 'hello'), 'set');
check(($m->get('k') // '') eq 'hello', 'get');
check(!defined $m->get('missing'), 'get miss');
check(!$m->add('k', 'x'), 'add on an existing key');
check($m->add('new', 'x'), 'add');
check($m->replace('new', 'y'), 'replace');
check(!$m->replace('absent', 'y'), 'replace a missing key');

check($m->set('n', 10), 'set counter');
check($m->incr('n', 5) == 15, 'incr');
check($m->decr('n', 20) == 0, 'decr floors at 0');
check(!$m->incr('absent'), 'incr a missing key');

my $pair = $m->gets('k');
check(ref $pair && $pair->[1] eq 'hello', 'gets');
check($m->cas('k', $pair->[0], 'v2'), 'cas with the current token');
check(!$m->cas('k', $pair->[0], 'v3'), 'cas with a stale token');
check($m->append('k', '+tail'), 'append');
check($m->get('k') eq 'v2+tail', 'appended value');

check($m->set('ref', { a => [1, 2] }), 'set a reference (Storable, flagged)');
check($m->get('ref')->{a}[1] == 2, 'reference back through flags');

$m->set_multi(['m1', 'one'], ['m2', 'two'], ['m3', 'three']);
my $many = $m->get_multi('m1', 'm2', 'm3', 'none');
check(join(',', map { "$_=$many->{$_}" } sort keys %$many) eq 'm1=one,m2=two,m3=three',
      'get_multi');

check($m->delete('k'), 'delete');
check(!$m->delete('k'), 'delete a missing key');
check(!defined $m->get('k'), 'deleted');
check($m->touch('m1', 100), 'touch');
my $versions = $m->server_versions;
check(($versions->{"$host:$port"} // '') eq '1.6.18', 'version');
print "Cache::Memcached::Fast: ok\n";
