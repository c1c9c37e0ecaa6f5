// The item commands: get/gets/gat/gats, storage, delete, incr/decr, touch and keys.
#include <iostream>
#include <iterator>
#include <map>
#include <set>

#include "commands.h"

namespace mclient {
namespace {

using mnemo::client::Item;

std::string ReadAll(std::istream& in) {
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void PrintJson(const Context& ctx, const std::vector<std::string>& keys,
               const std::map<std::string, Item>& hits, bool with_cas) {
  std::set<std::string> printed;
  ctx.out << "{";
  for (const std::string& key : keys) {
    if (!printed.insert(key).second) continue;
    ctx.out << (printed.size() > 1 ? ", " : "") << JsonBytes(key) << ": ";
    auto it = hits.find(key);
    if (it == hits.end()) {
      ctx.out << "null";
      continue;
    }
    ctx.out << "{\"value\": " << JsonBytes(it->second.value) << ", \"flags\": " << it->second.flags;
    if (with_cas) ctx.out << ", \"cas\": " << it->second.cas;
    ctx.out << "}";
  }
  ctx.out << "}\n";
}

void PrintLines(const Context& ctx, const std::vector<std::string>& keys,
                const std::map<std::string, Item>& hits, bool with_cas) {
  for (const std::string& key : keys) {
    auto it = hits.find(key);
    if (it == hits.end()) continue;
    ctx.out << key << '\t';
    if (with_cas) ctx.out << it->second.cas << '\t';
    ctx.out.write(it->second.value.data(), static_cast<std::streamsize>(it->second.value.size()));
    ctx.out << '\n';
  }
}

}  // namespace

int RunRetrieval(const Context& ctx) {
  const std::string& cmd = ctx.inv.command;
  mnemo::client::GetOptions options;
  options.with_cas = cmd == "gets" || cmd == "gats";
  if (cmd == "gat" || cmd == "gats") options.touch = ctx.inv.ttl;
  const std::vector<std::string>& keys = ctx.inv.keys;
  if (keys.size() == 1 && !options.with_cas && !ctx.inv.json) {
    auto item = ctx.client.Get(keys[0], options);
    if (!item) return ctx.Fail(item.error().message);
    if (!item->has_value()) return kExitMiss;
    const std::string& value = item.value()->value;
    ctx.out.write(value.data(), static_cast<std::streamsize>(value.size()));
    return kExitOk;
  }
  std::vector<std::string_view> views(keys.begin(), keys.end());
  auto result = ctx.client.GetMulti(views, options);
  std::map<std::string, Item> hits;
  for (Item& item : result.items) hits.emplace(item.key, std::move(item));
  if (ctx.inv.json) {
    PrintJson(ctx, keys, hits, options.with_cas);
  } else {
    PrintLines(ctx, keys, hits, options.with_cas);
  }
  int code = kExitOk;
  for (const auto& error : result.errors) code = ctx.Fail(error.message);
  if (code == kExitOk) {
    for (const std::string& key : keys) {
      if (!hits.count(key)) code = kExitMiss;
    }
  }
  return code;
}

int RunStorage(const Context& ctx) {
  using mnemo::StoreMode;
  using mnemo::StoreStatus;
  static const std::map<std::string, StoreMode> kModes = {
      {"set", StoreMode::kSet},         {"add", StoreMode::kAdd},
      {"replace", StoreMode::kReplace}, {"append", StoreMode::kAppend},
      {"prepend", StoreMode::kPrepend}, {"cas", StoreMode::kCas}};
  const std::string value = ctx.inv.value ? *ctx.inv.value : ReadAll(ctx.in);
  auto status = ctx.client.Store(kModes.at(ctx.inv.command), ctx.inv.key, value,
                                 {ctx.inv.flags, ctx.inv.ttl}, ctx.inv.cas);
  if (!status) return ctx.Fail(status.error().message);
  const std::string what = ctx.inv.command + " " + ctx.inv.key + ": ";
  switch (status.value()) {
    case StoreStatus::kStored:
      return kExitOk;
    case StoreStatus::kNotStored:
      ctx.err << "mclient: " << what << "not stored\n";
      break;
    case StoreStatus::kExists:
      ctx.err << "mclient: " << what << "exists (changed)\n";
      break;
    case StoreStatus::kNotFound:
      ctx.err << "mclient: " << what << "not found\n";
      break;
    case StoreStatus::kTooLarge:
      return ctx.Fail(what + "value too large for the server");
    case StoreStatus::kNoMemory:
      return ctx.Fail(what + "server out of memory");
    case StoreStatus::kError:
      return ctx.Fail(what + "server failure");
  }
  return kExitMiss;
}

int RunDelete(const Context& ctx) {
  int code = kExitOk;
  for (const std::string& key : ctx.inv.keys) {
    auto status = ctx.client.Delete(key);
    if (!status) {
      code = ctx.Fail(status.error().message);
    } else if (status.value() != mnemo::DeleteStatus::kDeleted) {
      ctx.err << "mclient: delete " << key << ": not found\n";
      if (code == kExitOk) code = kExitMiss;
    }
  }
  return code;
}

int RunArithmetic(const Context& ctx) {
  auto counter = ctx.client.Arithmetic(ctx.inv.command == "incr", ctx.inv.key, ctx.inv.delta);
  if (!counter) return ctx.Fail(counter.error().message);
  switch (counter->status) {
    case mnemo::ArithStatus::kOk:
      ctx.out << counter->value << '\n';
      return kExitOk;
    case mnemo::ArithStatus::kNotFound:
      ctx.err << "mclient: " << ctx.inv.command << " " << ctx.inv.key << ": not found\n";
      return kExitMiss;
    default:
      return ctx.Fail(ctx.inv.command + " " + ctx.inv.key + ": the value is not a number");
  }
}

int RunTouch(const Context& ctx) {
  auto status = ctx.client.Touch(ctx.inv.key, ctx.inv.ttl);
  if (!status) return ctx.Fail(status.error().message);
  if (status.value() == mnemo::TouchStatus::kTouched) return kExitOk;
  ctx.err << "mclient: touch " << ctx.inv.key << ": not found\n";
  return kExitMiss;
}

int RunKeys(const Context& ctx) {
  int code = kExitOk;
  bool first = true;
  if (ctx.inv.json) ctx.out << "[";
  for (const auto& server : ctx.client.ListKeys()) {
    if (!server.result) {
      code = ctx.Fail(server.result.error().message);
      continue;
    }
    for (const std::string& key : server.result.value()) {
      if (ctx.inv.json) {
        ctx.out << (first ? "" : ", ") << JsonBytes(key);
        first = false;
      } else {
        ctx.out << key << '\n';
      }
    }
  }
  if (ctx.inv.json) ctx.out << "]\n";
  return code;
}

}  // namespace mclient
