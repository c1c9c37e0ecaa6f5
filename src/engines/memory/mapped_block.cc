#include "engines/memory/mapped_block.h"

#include <sys/mman.h>
#include <unistd.h>

namespace mnemo::memory {
namespace {

std::size_t PageSize() {
  static const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  return page;
}

}  // namespace

std::size_t RoundUpToPages(std::size_t bytes) {
  const std::size_t page = PageSize();
  if (bytes == 0) return page;
  return (bytes + page - 1) / page * page;
}

MappedBlock MappedBlock::Map(std::size_t bytes) {
  const std::size_t size = RoundUpToPages(bytes);
  void* data = mmap(nullptr, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  MappedBlock block;
  if (data == MAP_FAILED) return block;
  block.data_ = static_cast<char*>(data);
  block.size_ = size;
  return block;
}

void MappedBlock::Unmap(char* data, std::size_t size) {
  if (data != nullptr) munmap(data, size);
}

void MappedBlock::Reset() {
  Unmap(data_, size_);
  data_ = nullptr;
  size_ = 0;
}

}  // namespace mnemo::memory
