// Test helpers for the server configuration: run ParseCommandLine on a list of words as a shell
// would pass them ("mnemod" is put in front).
#pragma once

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "server/config.h"

namespace mnemo::server {

inline Result<CommandLine> Parse(std::vector<std::string> words) {
  words.insert(words.begin(), "mnemod");
  std::vector<char*> argv;
  for (std::string& word : words) argv.push_back(word.data());
  argv.push_back(nullptr);
  return ParseCommandLine(static_cast<int>(words.size()), argv.data());
}

// The config of a command line that must parse; a failure is reported with its message.
inline ServerConfig ParseOk(const std::vector<std::string>& words) {
  Result<CommandLine> parsed = Parse(words);
  EXPECT_TRUE(parsed.ok()) << (parsed.ok() ? "" : parsed.error().message);
  return parsed.ok() ? parsed->config : ServerConfig{};
}

// The error message of a command line that must fail.
inline std::string ParseError(const std::vector<std::string>& words) {
  Result<CommandLine> parsed = Parse(words);
  EXPECT_FALSE(parsed.ok()) << "parsed without error";
  return parsed.ok() ? std::string() : parsed.error().message;
}

}  // namespace mnemo::server
