// MappedBlock: memory taken straight from the kernel with mmap, in whole pages, for everything
// the memory engine charges against its limit (segments, external values, the index, the
// ghost). Going around malloc makes the accounting honest: a block costs exactly its page
// count, and unmapping returns it to the system, so RSS tracks the accounted bytes instead of
// drifting with allocator fragmentation.
//
// Thread safety: a plain owning value; distinct blocks may be used from distinct threads.
#pragma once

#include <cstddef>
#include <utility>

namespace mnemo::memory {

// The bytes a request of `bytes` really occupies once rounded up to whole pages.
std::size_t RoundUpToPages(std::size_t bytes);

class MappedBlock {
 public:
  MappedBlock() = default;
  ~MappedBlock() { Reset(); }
  MappedBlock(MappedBlock&& other) noexcept
      : data_(std::exchange(other.data_, nullptr)), size_(std::exchange(other.size_, 0)) {}
  MappedBlock& operator=(MappedBlock&& other) noexcept {
    if (this != &other) {
      Reset();
      data_ = std::exchange(other.data_, nullptr);
      size_ = std::exchange(other.size_, 0);
    }
    return *this;
  }
  MappedBlock(const MappedBlock&) = delete;
  MappedBlock& operator=(const MappedBlock&) = delete;

  // Maps RoundUpToPages(bytes) zero-filled bytes. Returns an empty block when the kernel
  // refuses; callers treat that like running out of memory.
  static MappedBlock Map(std::size_t bytes);

  // Gives up ownership without unmapping; pair with Unmap(). Lets a segment keep a bare
  // pointer in its compact metadata.
  char* Release() {
    size_ = 0;
    return std::exchange(data_, nullptr);
  }
  static void Unmap(char* data, std::size_t size);

  char* data() const { return data_; }
  std::size_t size() const { return size_; }
  explicit operator bool() const { return data_ != nullptr; }

 private:
  void Reset();

  char* data_ = nullptr;
  std::size_t size_ = 0;
};

}  // namespace mnemo::memory
