// The C interface (mnemo/client.h) over the C++ client. Every entry point catches everything,
// so that nothing (not even std::bad_alloc) unwinds into C.
#include <cstdlib>
#include <cstring>
#include <exception>
#include <string>

#include "mnemo/client.h"
#include "mnemo/client/client.h"

struct mnemo_client {
  std::unique_ptr<mnemo::client::Client> client;
};

namespace {

using mnemo::client::Client;

thread_local std::string last_error;

mnemo_status Fail(mnemo_status status, std::string message) {
  last_error = std::move(message);
  return status;
}

template <class Body>
mnemo_status Guard(Body body) {
  try {
    return body();
  } catch (const std::exception& e) {
    return Fail(MNEMO_ERROR, e.what());
  } catch (...) {
    return Fail(MNEMO_ERROR, "unknown failure");
  }
}

mnemo_status FromStore(mnemo::StoreStatus status) {
  switch (status) {
    case mnemo::StoreStatus::kStored:
      return MNEMO_OK;
    case mnemo::StoreStatus::kNotStored:
      return MNEMO_NOT_STORED;
    case mnemo::StoreStatus::kExists:
      return MNEMO_EXISTS;
    case mnemo::StoreStatus::kNotFound:
      return MNEMO_NOT_FOUND;
    case mnemo::StoreStatus::kTooLarge:
      return MNEMO_TOO_LARGE;
    case mnemo::StoreStatus::kNoMemory:
      return MNEMO_NO_MEMORY;
    case mnemo::StoreStatus::kError:
      break;
  }
  return MNEMO_ERROR;
}

// One malloc block: the struct, then key and value, each NUL-terminated.
mnemo_item* NewItem(const mnemo::client::Item& item) {
  const std::size_t size = sizeof(mnemo_item) + item.key.size() + item.value.size() + 2;
  auto* out = static_cast<mnemo_item*>(std::malloc(size));
  if (out == nullptr) return nullptr;
  char* bytes = reinterpret_cast<char*>(out + 1);
  out->key = bytes;
  out->key_length = item.key.size();
  std::memcpy(out->key, item.key.data(), item.key.size());
  out->key[item.key.size()] = '\0';
  out->value = bytes + item.key.size() + 1;
  out->value_length = item.value.size();
  std::memcpy(out->value, item.value.data(), item.value.size());
  out->value[item.value.size()] = '\0';
  out->flags = item.flags;
  out->cas = item.cas;
  return out;
}

mnemo_status MakeOptions(const mnemo_options& in, mnemo::client::Options& out) {
  namespace mc = mnemo::client;
  if (in.servers == nullptr) return Fail(MNEMO_INVALID, "no servers given");
  auto servers = mc::ParseServerList(in.servers);
  if (!servers) return Fail(MNEMO_INVALID, servers.error().message);
  out.servers = std::move(servers.value());
  if (in.protocol != nullptr) {
    auto p = mc::ProtocolFromName(in.protocol);
    if (!p) return Fail(MNEMO_INVALID, p.error().message);
    out.protocol = p.value();
  }
  if (in.distribution != nullptr) {
    auto d = mc::DistributionFromName(in.distribution);
    if (!d) return Fail(MNEMO_INVALID, d.error().message);
    out.distribution = d.value();
  }
  if (in.hash != nullptr) {
    auto h = mc::HashFromName(in.hash);
    if (!h) return Fail(MNEMO_INVALID, h.error().message);
    out.hash = h.value();
  }
  using ms = std::chrono::milliseconds;
  if (in.connect_timeout_ms > 0) out.connect_timeout = ms(in.connect_timeout_ms);
  if (in.io_timeout_ms > 0) out.io_timeout = ms(in.io_timeout_ms);
  if (in.retry_interval_ms > 0) out.retry_interval = ms(in.retry_interval_ms);
  out.failure_limit = in.failure_limit;
  return MNEMO_OK;
}

mnemo_status Arithmetic(mnemo_client* c, bool increment, const char* key, std::size_t length,
                        std::uint64_t delta, std::uint64_t* value) {
  return Guard([&] {
    auto r = c->client->Arithmetic(increment, std::string_view(key, length), delta);
    if (!r) return Fail(MNEMO_ERROR, r.error().message);
    if (r->status == mnemo::ArithStatus::kNotFound) return MNEMO_NOT_FOUND;
    if (r->status == mnemo::ArithStatus::kNonNumeric) return MNEMO_NON_NUMERIC;
    if (value != nullptr) *value = r->value;
    return MNEMO_OK;
  });
}

}  // namespace

extern "C" {

const char* mnemo_last_error(void) { return last_error.c_str(); }

mnemo_status mnemo_client_new(const mnemo_options* options, mnemo_client** out) {
  return mnemo_client_new_tls(options, nullptr, out);
}

mnemo_status mnemo_client_new_tls(const mnemo_options* options, const mnemo_tls_options* tls,
                                  mnemo_client** out) {
  return Guard([&] {
    if (options == nullptr || out == nullptr) return Fail(MNEMO_INVALID, "null argument");
    *out = nullptr;
    mnemo::client::Options cpp;
    if (mnemo_status s = MakeOptions(*options, cpp); s != MNEMO_OK) return s;
    if (tls != nullptr) {
      auto text = [](const char* s) { return s == nullptr ? std::string() : std::string(s); };
      cpp.tls = {.enabled = true,
                 .ca_file = text(tls->ca_file),
                 .cert_file = text(tls->cert_file),
                 .key_file = text(tls->key_file)};
    }
    auto client = Client::Create(std::move(cpp));
    if (!client) return Fail(MNEMO_INVALID, client.error().message);
    *out = new mnemo_client{std::move(client.value())};
    return MNEMO_OK;
  });
}

void mnemo_client_free(mnemo_client* client) { delete client; }

void mnemo_item_free(mnemo_item* item) { std::free(item); }

mnemo_status mnemo_get(mnemo_client* client, const char* key, size_t key_length,
                       mnemo_item** item) {
  return mnemo_get_ex(client, key, key_length, 0, 0, item);
}

mnemo_status mnemo_get_ex(mnemo_client* client, const char* key, size_t key_length,
                          unsigned options, int64_t exptime, mnemo_item** item) {
  return Guard([&] {
    if (item == nullptr) return Fail(MNEMO_INVALID, "null item");
    *item = nullptr;
    mnemo::client::GetOptions get;
    get.with_cas = (options & MNEMO_GET_CAS) != 0;
    if (options & MNEMO_GET_TOUCH) get.touch = exptime;
    auto r = client->client->Get(std::string_view(key, key_length), get);
    if (!r) return Fail(MNEMO_ERROR, r.error().message);
    if (!r->has_value()) return MNEMO_NOT_FOUND;
    *item = NewItem(**r);
    return *item != nullptr ? MNEMO_OK : Fail(MNEMO_NO_MEMORY, "out of memory");
  });
}

mnemo_status mnemo_get_multi(mnemo_client* client, const char* const* keys,
                             const size_t* key_lengths, size_t count, unsigned options,
                             mnemo_item_callback callback, void* context) {
  return Guard([&] {
    std::vector<std::string_view> views;
    for (std::size_t i = 0; i < count; ++i) views.emplace_back(keys[i], key_lengths[i]);
    mnemo::client::GetOptions get;
    get.with_cas = (options & MNEMO_GET_CAS) != 0;
    auto r = client->client->GetMulti(views, get);
    for (const auto& item : r.items) {
      mnemo_item c{const_cast<char*>(item.key.c_str()),
                   item.key.size(),
                   const_cast<char*>(item.value.c_str()),
                   item.value.size(),
                   item.flags,
                   item.cas};
      callback(&c, context);
    }
    return r.errors.empty() ? MNEMO_OK : Fail(MNEMO_ERROR, r.errors.front().message);
  });
}

mnemo_status mnemo_store(mnemo_client* client, mnemo_store_mode mode, const char* key,
                         size_t key_length, const char* value, size_t value_length, uint32_t flags,
                         int64_t exptime, uint64_t cas) {
  return Guard([&] {
    if (mode < MNEMO_SET || mode > MNEMO_CAS) return Fail(MNEMO_INVALID, "bad store mode");
    auto r = client->client->Store(static_cast<mnemo::StoreMode>(mode),
                                   std::string_view(key, key_length),
                                   std::string_view(value, value_length), {flags, exptime}, cas);
    return r ? FromStore(r.value()) : Fail(MNEMO_ERROR, r.error().message);
  });
}

mnemo_status mnemo_delete(mnemo_client* client, const char* key, size_t key_length) {
  return Guard([&] {
    auto r = client->client->Delete(std::string_view(key, key_length));
    if (!r) return Fail(MNEMO_ERROR, r.error().message);
    return r.value() == mnemo::DeleteStatus::kDeleted ? MNEMO_OK : MNEMO_NOT_FOUND;
  });
}

mnemo_status mnemo_incr(mnemo_client* client, const char* key, size_t key_length, uint64_t delta,
                        uint64_t* value) {
  return Arithmetic(client, true, key, key_length, delta, value);
}

mnemo_status mnemo_decr(mnemo_client* client, const char* key, size_t key_length, uint64_t delta,
                        uint64_t* value) {
  return Arithmetic(client, false, key, key_length, delta, value);
}

mnemo_status mnemo_touch(mnemo_client* client, const char* key, size_t key_length,
                         int64_t exptime) {
  return Guard([&] {
    auto r = client->client->Touch(std::string_view(key, key_length), exptime);
    if (!r) return Fail(MNEMO_ERROR, r.error().message);
    return r.value() == mnemo::TouchStatus::kTouched ? MNEMO_OK : MNEMO_NOT_FOUND;
  });
}

mnemo_status mnemo_flush_all(mnemo_client* client, int64_t delay) {
  return Guard([&] {
    auto results =
        client->client->FlushAll(delay < 0 ? std::nullopt : std::optional<std::int64_t>(delay));
    for (const auto& r : results) {
      if (!r.result) return Fail(MNEMO_ERROR, r.result.error().message);
    }
    return MNEMO_OK;
  });
}

mnemo_status mnemo_stats(mnemo_client* client, const char* group, mnemo_stat_callback callback,
                         void* context) {
  return Guard([&] {
    mnemo_status status = MNEMO_OK;
    for (const auto& r : client->client->GetStats(group == nullptr ? "" : group)) {
      if (!r.result) {
        status = Fail(MNEMO_ERROR, r.result.error().message);
        continue;
      }
      for (const auto& [name, value] : r.result.value()) {
        callback(r.server.c_str(), name.c_str(), value.c_str(), context);
      }
    }
    return status;
  });
}

mnemo_status mnemo_version(mnemo_client* client, char* buffer, size_t size) {
  return Guard([&] {
    if (buffer == nullptr || size == 0) return Fail(MNEMO_INVALID, "no buffer");
    auto versions = client->client->Version();
    const auto& first = versions.front();
    if (!first.result) return Fail(MNEMO_ERROR, first.result.error().message);
    const std::string& v = first.result.value();
    const std::size_t n = std::min(v.size(), size - 1);
    std::memcpy(buffer, v.data(), n);
    buffer[n] = '\0';
    return MNEMO_OK;
  });
}

}  // extern "C"
