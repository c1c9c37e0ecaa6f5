#include "engines/proxy/classic_rules.h"

namespace mnemo::proxy {

std::optional<StoreMode> ClassicStoreMode(const StoreRequest& request) {
  StoreMode mode = request.mode;
  if ((mode == StoreMode::kSet || mode == StoreMode::kReplace) && request.compare_cas != 0) {
    mode = StoreMode::kCas;
  }
  if ((mode != StoreMode::kCas && request.compare_cas != 0) || request.new_cas != 0 ||
      request.invalidate || request.vivify_exptime) {
    return std::nullopt;
  }
  return mode;
}

bool DeleteIsRefused(const DeleteRequest& request) {
  return request.invalidate || request.new_cas != 0;
}

bool ArithmeticIsRefused(const ArithRequest& request) {
  return request.compare_cas != 0 || request.new_cas != 0 || request.touch_exptime.has_value();
}

}  // namespace mnemo::proxy
