// Uses only the installed headers: a tiny engine of its own behind a Session, one round trip.
// Exits 0 when the replies are what memcached would send.
#include <cstdio>
#include <map>
#include <string>

#include "mnemo/engine.h"
#include "mnemo/session.h"

namespace {

class TinyEngine final : public mnemo::Engine {
 public:
  mnemo::GetStatus Get(const mnemo::GetRequest& request, mnemo::ItemVisitor on_hit) override {
    auto it = items_.find(std::string(request.key.key()));
    if (it == items_.end()) return mnemo::GetStatus::kMiss;
    mnemo::ItemView view;
    view.key = it->first;
    view.value = it->second;
    on_hit(view);
    return mnemo::GetStatus::kHit;
  }
  mnemo::StoreResult Store(const mnemo::StoreRequest& request) override {
    items_[std::string(request.key.key())] = std::string(request.value);
    return {mnemo::StoreStatus::kStored, 1};
  }
  mnemo::DeleteStatus Delete(const mnemo::DeleteRequest& request) override {
    return items_.erase(std::string(request.key.key())) ? mnemo::DeleteStatus::kDeleted
                                                        : mnemo::DeleteStatus::kNotFound;
  }
  mnemo::ArithResult Arithmetic(const mnemo::ArithRequest&) override { return {}; }
  mnemo::TouchStatus Touch(const mnemo::HashedKey&, std::int64_t) override {
    return mnemo::TouchStatus::kNotFound;
  }
  void FlushAll(std::int64_t) override { items_.clear(); }
  void ForEach(mnemo::FunctionRef<bool(const mnemo::ItemView&)>) override {}
  bool Stats(std::string_view group, mnemo::StatSink) override { return group.empty(); }

 private:
  std::map<std::string, std::string> items_;
};

}  // namespace

int main() {
  TinyEngine engine;
  mnemo::SessionConfig config;
  mnemo::CommandCounters counters;
  mnemo::Session session(engine, config, counters);
  std::string output;
  std::string input = "set k 0 0 2\r\nhi\r\nget k\r\ndelete k\r\nget k\r\n";
  session.Process(input, output);
  const std::string expected = "STORED\r\nVALUE k 0 2\r\nhi\r\nEND\r\nDELETED\r\nEND\r\n";
  if (output != expected) {
    std::fprintf(stderr, "unexpected reply: %s\n", output.c_str());
    return 1;
  }
  std::puts("consumer: ok");
  return 0;
}
