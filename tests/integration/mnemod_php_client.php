<?php
// php-memcached (libmemcached underneath) against mnemod, over the ASCII and the binary
// protocol: set/get/delete/increment/getMulti, add, CAS, append and flags-carried types.
// Usage: php mnemod_php_client.php HOST PORT. Exits 1 on the first wrong answer.

function check($condition, $what) {
  if (!$condition) {
    fwrite(STDERR, "FAIL: $what\n");
    exit(1);
  }
}

function smoke($host, $port, $binary) {
  $label = $binary ? "binary" : "ascii";
  $m = new Memcached();
  $m->setOption(Memcached::OPT_BINARY_PROTOCOL, $binary);
  $m->setOption(Memcached::OPT_CONNECT_TIMEOUT, 5000);
  $m->setOption(Memcached::OPT_RECV_TIMEOUT, 5000000);
  $m->setOption(Memcached::OPT_SEND_TIMEOUT, 5000000);
  $m->setOption(Memcached::OPT_COMPRESSION, false);
  check($m->addServer($host, (int)$port), "$label: addServer");
  $p = "php:$label:";

  check($m->set("{$p}k", "hello"), "$label: set");
  check($m->get("{$p}k") === "hello", "$label: get");
  check($m->get("{$p}missing") === false &&
        $m->getResultCode() === Memcached::RES_NOTFOUND, "$label: get miss");
  check($m->add("{$p}k", "x") === false, "$label: add on an existing key");
  check($m->set("{$p}arr", ["a" => 1, "b" => [2, 3]]), "$label: set array");
  check($m->get("{$p}arr") === ["a" => 1, "b" => [2, 3]], "$label: array back through flags");

  check($m->set("{$p}n", 10), "$label: set counter");
  check($m->increment("{$p}n", 5) === 15, "$label: increment");
  check($m->decrement("{$p}n", 20) === 0, "$label: decrement floors at 0");
  check($m->increment("{$p}absent", 1) === false, "$label: increment a missing key");

  $got = $m->get("{$p}k", null, Memcached::GET_EXTENDED);
  check(is_array($got) && $got["value"] === "hello" && $got["cas"] > 0, "$label: get with cas");
  check($m->cas($got["cas"], "{$p}k", "v2"), "$label: cas with the current token");
  check($m->cas($got["cas"], "{$p}k", "v3") === false &&
        $m->getResultCode() === Memcached::RES_DATA_EXISTS, "$label: cas with a stale token");

  $m->setOption(Memcached::OPT_COMPRESSION, false);
  check($m->append("{$p}k", "+tail"), "$label: append");
  check($m->get("{$p}k") === "v2+tail", "$label: appended value");

  $items = ["{$p}m1" => "one", "{$p}m2" => "two", "{$p}m3" => "three"];
  check($m->setMulti($items), "$label: setMulti");
  $many = $m->getMulti(array_merge(array_keys($items), ["{$p}none"]));
  check($many == $items, "$label: getMulti");

  check($m->delete("{$p}k"), "$label: delete");
  check($m->delete("{$p}k") === false &&
        $m->getResultCode() === Memcached::RES_NOTFOUND, "$label: delete a missing key");
  check($m->get("{$p}k") === false, "$label: deleted");
  check($m->touch("{$p}m1", 100), "$label: touch");

  $versions = $m->getVersion();
  check(is_array($versions) && reset($versions) === "1.6.18", "$label: version");
  echo "php-memcached $label: ok\n";
}

[$_, $host, $port] = $argv;
smoke($host, $port, false);
smoke($host, $port, true);
