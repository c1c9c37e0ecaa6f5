// MD5 through OpenSSL's EVP interface (the only MD5 we trust to be right), read as
// little-endian 32-bit words the way ketama does.
#include <openssl/evp.h>

#include <cstddef>

#include "hashing/hashing.h"

namespace mnemo::client::hashing {
namespace {

std::uint32_t LittleEndianWord(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8 |
         static_cast<std::uint32_t>(p[2]) << 16 | static_cast<std::uint32_t>(p[3]) << 24;
}

}  // namespace

std::array<std::uint32_t, 4> Md5Words(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE] = {};
  unsigned int length = 0;
  // EVP_Digest only fails on allocation failure; a zero digest then is the safest answer.
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_md5(), nullptr);
  std::array<std::uint32_t, 4> words{};
  for (std::size_t k = 0; k < words.size(); ++k) words[k] = LittleEndianWord(digest + 4 * k);
  return words;
}

std::uint32_t Md5(std::string_view key) { return Md5Words(key)[0]; }

}  // namespace mnemo::client::hashing
