// Dispatch from the Hash enum to one algorithm, and the names libmemcached and twemproxy use.
#include "hashing/hashing.h"

namespace mnemo::client::hashing {

std::uint32_t HashKey(Hash hash, std::string_view key) {
  switch (hash) {
    case Hash::kOneAtATime:
      return OneAtATime(key);
    case Hash::kMd5:
      return Md5(key);
    case Hash::kCrc32:
      return Crc32(key);
    case Hash::kFnv1_32:
      return Fnv1_32(key);
    case Hash::kFnv1a_32:
      return Fnv1a_32(key);
    case Hash::kFnv1_64:
      return Fnv1_64(key);
    case Hash::kFnv1a_64:
      return Fnv1a_64(key);
    case Hash::kMurmur:
      return Murmur(key);
    case Hash::kJenkins:
      return Jenkins(key);
  }
  return OneAtATime(key);
}

}  // namespace mnemo::client::hashing
