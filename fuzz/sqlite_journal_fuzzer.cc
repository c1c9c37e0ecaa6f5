// Journal record fuzzer (engines/sqlite/journal.h): the bytes of one journal row, as a damaged
// or foreign file could hold them.
//   - DecodeRecords never reads past the input and either fails or accepts it whole;
//   - what it accepts, encoded again record by record, is the input byte for byte (the format
//     has one spelling per record), with no empty key and a state of known bits only.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "engines/sqlite/journal.h"
#include "fuzz_check.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  mnemo::Result<std::vector<mnemo::sqlite::JournalRecord>> records =
      mnemo::sqlite::DecodeRecords(bytes);
  if (!records.ok()) {
    FUZZ_CHECK(!records.error().message.empty());
    return 0;
  }
  std::string again;
  for (const mnemo::sqlite::JournalRecord& record : *records) {
    FUZZ_CHECK(!record.key.empty());
    mnemo::sqlite::EncodeRecord(again, record.key, record.row);
  }
  FUZZ_CHECK(again == bytes);
  return 0;
}
