// The checks memcached 1.6.18 makes once it has read every flag, in its order and words, then
// Mnemo's own (TLS prefixes without -Z). Some also settle defaults that depend on other flags:
// -U alone sets the TCP port too, -S and -Y pick the protocol, ext_path sizes the compaction
// thresholds.

#include <string>

#include "server/config_tables.h"

namespace mnemo::server {
namespace {

constexpr std::uint64_t kItemSizeMin = 1024;
constexpr std::uint64_t kItemSizeMaxLimit = 1024 * 1024 * 1024;
constexpr std::uint32_t kChunkAlign = 8;
constexpr std::size_t kMaxSlabClasses = 62;

std::string Str(std::uint64_t n) { return std::to_string(n); }

Result<void> CheckItemSize(ParseState& state) {
  ServerConfig& c = state.config;
  if (c.napi_ids > c.threads) {
    return Error{"Number of napi_ids(" + Str(c.napi_ids) +
                 ") cannot be greater than number of threads(" + Str(c.threads) + ")"};
  }
  if (c.item_size_max < kItemSizeMin) {
    return Error{"Item max size cannot be less than 1024 bytes."};
  }
  if (c.item_size_max > c.max_bytes / 2) {
    return Error{"Cannot set item size limit higher than 1/2 of memory max."};
  }
  if (c.item_size_max > kItemSizeMaxLimit) {
    return Error{"Cannot set item size limit higher than a gigabyte."};
  }
  if (c.item_size_max > 1024 * 1024 && !state.chunk_max_given) {
    c.slab.chunk_max = kSlabPageSize / 2;  // memcached's default for items over 1 MB
  }
  const std::string chunk = Str(c.slab.chunk_max);
  const std::string item = Str(c.item_size_max);
  if (c.slab.chunk_max > c.item_size_max) {
    return Error{"slab_chunk_max (bytes: " + chunk + ") cannot be larger than -I (item_size_max " +
                 item + ")"};
  }
  if (c.item_size_max % c.slab.chunk_max != 0) {
    return Error{"-I (item_size_max: " + item +
                 ") must be evenly divisible by slab_chunk_max "
                 "(bytes: " +
                 chunk + ")"};
  }
  if (kSlabPageSize % c.slab.chunk_max != 0) {
    return Error{"slab_chunk_max (bytes: " + chunk + ") must divide evenly into " +
                 Str(kSlabPageSize) + " (slab_page_size)"};
  }
  return {};
}

Result<void> CheckSlabSizes(ParseState& state) {
  const ServerConfig& c = state.config;
  std::uint32_t last = 0;
  for (std::size_t i = 0; i < c.slab.sizes.size(); ++i) {
    std::uint32_t size = c.slab.sizes[i];
    if (i >= kMaxSlabClasses) return Error{"too many slab classes specified"};
    if (size < static_cast<std::uint32_t>(c.slab.min_chunk) || size > c.slab.chunk_max) {
      return Error{"slab size " + Str(size) + " is out of valid range"};
    }
    if (size <= last) {
      return Error{"slab size " + Str(size) +
                   " cannot be lower than or equal to a previous "
                   "class size"};
    }
    if (size <= last + kChunkAlign) {
      return Error{"slab size " + Str(size) + " must be at least " + Str(kChunkAlign) +
                   " bytes larger than previous class"};
    }
    last = size;
  }
  return {};
}

Result<void> CheckLru(ParseState& state) {
  const ServerConfig& c = state.config;
  if (c.lru.hot_pct + c.lru.warm_pct > 80) {
    return Error{"hot_lru_pct + warm_lru_pct cannot be more than 80% combined"};
  }
  if (c.lru.temp_lru && !c.lru.maintainer) {
    return Error{"temporary_ttl requires lru_maintainer to be enabled"};
  }
  return {};
}

Result<void> CheckAuthentication(ParseState& state) {
  ServerConfig& c = state.config;
  if (c.sasl) {
    if (!state.protocol_given) {
      c.protocol = ProtocolMode::kBinary;
    } else if (c.protocol != ProtocolMode::kBinary) {
      return Error{"ERROR: You cannot allow the ASCII protocol while using SASL."};
    }
    if (c.udp_port != 0) {
      return Error{"ERROR: Cannot enable UDP while using binary SASL authentication."};
    }
  }
  if (!c.auth_file.empty()) {
    if (!state.protocol_given) {
      c.protocol = ProtocolMode::kAscii;
    } else if (c.protocol != ProtocolMode::kAscii) {
      return Error{
          "ERROR: You cannot allow the BINARY protocol while using ascii "
          "authentication tokens."};
    }
    if (c.udp_port != 0) {
      return Error{"Cannot use UDP with ascii authentication enabled (-U 0 to disable)"};
    }
  }
  return {};
}

Result<void> CheckExtstore(ParseState& state) {
  ServerConfig& c = state.config;
  if (c.ext.paths.empty()) return {};
  if (c.item_size_max > c.ext.wbuf_size) {
    return Error{"-I (item_size_max: " + Str(c.item_size_max) +
                 ") cannot be larger than ext_wbuf_size: " + Str(c.ext.wbuf_size)};
  }
  if (c.udp_port != 0) return Error{"Cannot use UDP with extstore enabled (-U 0 to disable)"};
  // memcached sizes both thresholds from the first path that finds them unset.
  for (const ExtstorePath& path : c.ext.paths) {
    if (c.ext.compact_under == 0 && c.ext.page_size != 0) {
      c.ext.compact_under = static_cast<std::uint32_t>(path.size / c.ext.page_size / 4);
      c.ext.drop_under = c.ext.compact_under;
    }
  }
  return {};
}

Result<void> CheckTls(ParseState& state) {
  const ServerConfig& c = state.config;
  if (c.tls.enabled) return {};
  for (const ListenAddress& address : c.listen) {
    if (address.tls == ListenTls::kOff) {
      return Error{"'notls' option is valid only when SSL is enabled"};
    }
    if (address.tls == ListenTls::kMutual) {
      return Error{"'mtls' option is valid only when SSL is enabled"};
    }
  }
  return {};
}

}  // namespace

Result<void> Validate(ParseState& state) {
  ServerConfig& c = state.config;
  if (c.udp_port != 0 && !state.port_given) c.port = c.udp_port;  // memcached's -U alone
  for (auto* check :
       {CheckItemSize, CheckSlabSizes, CheckLru, CheckAuthentication, CheckExtstore, CheckTls}) {
    Result<void> ok = check(state);
    if (!ok) return ok;
  }
  return {};
}

}  // namespace mnemo::server
