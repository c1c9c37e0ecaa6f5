// Auto-eject bookkeeping and distributor rebuilds.
#include "ring.h"

namespace mnemo::client {

Ring::Ring(const Options& options) : options_(options), health_(options.servers.size()) {
  Rebuild();
}

void Ring::Rebuild() {
  std::vector<bool> live(health_.size());
  for (std::size_t i = 0; i < health_.size(); ++i) live[i] = !health_[i].ejected_until;
  current_ = std::make_shared<const Distributor>(
      Distributor::Build(options_.distribution, *options_.hash, options_.servers, live));
}

void Ring::Refresh(Clock::time_point now) {
  bool changed = false;
  for (Health& h : health_) {
    if (h.ejected_until && *h.ejected_until <= now) {
      h.ejected_until.reset();
      changed = true;
    }
  }
  if (changed) Rebuild();
}

std::optional<std::size_t> Ring::Pick(std::string_view key) {
  std::shared_ptr<const Distributor> distributor;
  {
    std::lock_guard lock(mu_);
    Refresh(Clock::now());
    distributor = current_;
  }
  return distributor->Pick(key);
}

std::optional<std::chrono::milliseconds> Ring::EjectedFor(std::size_t index) {
  std::lock_guard lock(mu_);
  const auto now = Clock::now();
  Refresh(now);
  if (!health_[index].ejected_until) return std::nullopt;
  return std::chrono::ceil<std::chrono::milliseconds>(*health_[index].ejected_until - now);
}

void Ring::Failure(std::size_t index) {
  std::lock_guard lock(mu_);
  Health& h = health_[index];
  ++h.failures;
  // A server back from an interval keeps its count, so its first failure ejects it again.
  if (options_.failure_limit == 0 || h.failures < options_.failure_limit || h.ejected_until) {
    return;
  }
  h.ejected_until = Clock::now() + options_.retry_interval;
  Rebuild();
}

void Ring::Success(std::size_t index) {
  std::lock_guard lock(mu_);
  health_[index].failures = 0;
}

}  // namespace mnemo::client
