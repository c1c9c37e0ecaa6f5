#include "server/watch_format.h"

namespace mnemo::server {
namespace {

std::string_view FetchStatusName(FetchStatus status) {
  switch (status) {
    case FetchStatus::kFound:
      return "found";
    case FetchStatus::kFlushed:
      return "flushed";
    case FetchStatus::kExpired:
      return "expired";
    case FetchStatus::kNotFound:
      break;
  }
  return "not_found";
}

std::string_view StoreStatusName(StoreStatus status) {
  switch (status) {
    case StoreStatus::kStored:
      return "stored";
    case StoreStatus::kExists:
      return "exists";
    case StoreStatus::kNotFound:
      return "not_found";
    case StoreStatus::kTooLarge:
      return "too_large";
    case StoreStatus::kNoMemory:
      return "no_memory";
    case StoreStatus::kNotStored:
    case StoreStatus::kError:  // memcached's log has no word for an upstream's failure
      break;
  }
  return "not_stored";
}

std::string_view CommandName(StoreCommand command) {
  switch (command) {
    case StoreCommand::kAdd:
      return "add";
    case StoreCommand::kReplace:
      return "replace";
    case StoreCommand::kAppend:
      return "append";
    case StoreCommand::kPrepend:
      return "prepend";
    case StoreCommand::kCas:
      return "cas";
    case StoreCommand::kSet:
      break;
  }
  return "set";
}

bool Unreserved(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// "ts=S.U gid=G type=T key=K " : the start every item line shares.
std::string Start(const WatchStamp& stamp, std::string_view type, std::string_view key) {
  std::string line = "ts=" + std::to_string(stamp.seconds) + "." + std::to_string(stamp.micros) +
                     " gid=" + std::to_string(stamp.gid) + " type=";
  line += type;
  line += " key=";
  AppendUriEncoded(key, line);
  return line;
}

}  // namespace

void AppendUriEncoded(std::string_view key, std::string& out) {
  constexpr char kHex[] = "0123456789ABCDEF";
  for (const char ch : key) {
    const auto c = static_cast<unsigned char>(ch);
    if (Unreserved(c)) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xf];
    }
  }
}

std::string FormatItemGet(const WatchStamp& stamp, const FetchEvent& event) {
  std::string line = Start(stamp, "item_get", event.key);
  line += " status=";
  line += FetchStatusName(event.status);
  line += " clsid=" + std::to_string(event.slab_class) + " cfd=" + std::to_string(event.client_fd) +
          " size=" + std::to_string(event.value_size) + "\n";
  return line;
}

std::string FormatEviction(const WatchStamp& stamp, const EvictedItem& item) {
  std::string line = Start(stamp, "eviction", item.key);
  line += item.fetched ? " fetch=yes" : " fetch=no";
  line += " ttl=" + std::to_string(item.ttl) + " la=" + std::to_string(item.idle) + " clsid=" +
          std::to_string(MemcachedSlabClass(item.key, item.value_size, item.client_flags)) +
          " size=" + std::to_string(item.value_size) + "\n";
  return line;
}

std::string FormatItemStore(const WatchStamp& stamp, const StoreEvent& event) {
  std::string line = Start(stamp, "item_store", event.key);
  line += " status=";
  line += StoreStatusName(event.status);
  line += " cmd=";
  line += CommandName(event.command);
  line += " ttl=" + std::to_string(event.ttl) + " clsid=" + std::to_string(event.slab_class) +
          " cfd=" + std::to_string(event.client_fd) + " size=" + std::to_string(event.value_size) +
          "\n";
  return line;
}

std::string FormatSkipped(std::uint64_t skipped) {
  return "skipped=" + std::to_string(skipped) + "\n";
}

}  // namespace mnemo::server
