// Test-only helper: reads the tab-separated vector files copied from shared/vectors into
// tests/data (MNEMO_TEST_DATA_DIR). Lines starting with '#' are headers.
// Thread safety: pure functions.
#pragma once

#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace mnemo::client::testdata {

using Row = std::vector<std::string>;

inline std::vector<Row> ReadTsv(std::string_view file) {
  std::ifstream in(std::string(MNEMO_TEST_DATA_DIR) + "/" + std::string(file), std::ios::binary);
  std::vector<Row> rows;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    Row row;
    std::size_t start = 0;
    while (true) {
      const auto tab = line.find('\t', start);
      row.push_back(line.substr(start, tab - start));
      if (tab == std::string::npos) break;
      start = tab + 1;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace mnemo::client::testdata
