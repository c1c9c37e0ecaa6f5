// A long-running application for the domain tests: follows a domain through
// Client::ForDomain and keeps setting keys until it is killed. Each time the list it uses
// changes it appends "version V servers N" to STATUS_FILE, and "leading" once it is the
// process of the host that watches the servers, so a test can wait for either.
//   domain_driver DOMAIN SEED[,SEED...] STATUS_FILE
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <string>
#include <thread>

#include "mnemo/client/domain.h"

int main(int argc, char** argv) {
  namespace mc = mnemo::client;
  if (argc != 4) {
    std::cerr << "usage: domain_driver DOMAIN SEEDS STATUS_FILE\n";
    return 2;
  }
  auto seeds = mc::ParseServerList(argv[2]);
  if (!seeds) {
    std::cerr << seeds.error().message << '\n';
    return 2;
  }
  mc::DomainOptions domain_options;
  domain_options.check_interval = std::chrono::milliseconds(100);
  auto client = mc::DomainClient::Create(argv[1], seeds.value(), mc::Options{}, domain_options);
  if (!client) {
    std::cerr << client.error().message << '\n';
    return 3;
  }
  std::uint64_t reported = 0;
  bool leading = false;
  for (std::uint64_t i = 0;; ++i) {
    const std::uint64_t version = client.value()->version();
    if (version != reported) {
      reported = version;
      std::ofstream(argv[3], std::ios::app)
          << "version " << version << " servers "
          << client.value()->current()->options().servers.size() << std::endl;
    }
    if (client.value()->leading() != leading) {
      leading = !leading;
      std::ofstream(argv[3], std::ios::app) << (leading ? "leading" : "following") << std::endl;
    }
    const std::string key = "key" + std::to_string(i % 1000);
    (void)client.value()->Set(key, "value");
    (void)client.value()->Get(key);
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
