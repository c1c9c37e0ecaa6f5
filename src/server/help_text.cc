// -h, -V and -i: texts generated from the option tables, so that a flag cannot be parsed
// without being documented. Same options as memcached's help, in our own words.

#include <string>

#include "server/config_tables.h"

#ifndef MNEMO_VERSION
#define MNEMO_VERSION "unknown"
#endif

namespace mnemo::server {
namespace {

constexpr std::size_t kHelpColumn = 30;

// Appends `text`, indenting each line after the first to `column`.
void AppendIndented(std::string& out, std::string_view text, std::size_t column) {
  while (true) {
    std::size_t newline = text.find('\n');
    out.append(text.substr(0, newline));
    out += '\n';
    if (newline == std::string_view::npos) return;
    text.remove_prefix(newline + 1);
    out.append(column, ' ');
  }
}

std::string FlagLeftColumn(const FlagOption& flag) {
  std::string left = flag.id < 256 ? std::string("-") + static_cast<char>(flag.id) : "  ";
  if (flag.long_name != nullptr) {
    left += flag.id < 256 ? ", --" : "  --";
    left += flag.long_name;
    if (flag.arg == ArgKind::kRequired) left += "=" + std::string(flag.value_name);
  } else if (!flag.value_name.empty()) {
    left += " " + std::string(flag.value_name);
  }
  return left;
}

}  // namespace

std::string VersionText() {
  return std::string("mnemod ") + MNEMO_VERSION + " (memcached " + kCompatibleVersion +
         " compatible)";
}

std::string HelpText() {
  std::string out = VersionText() + "\nUsage: mnemod [options]\n\n";
  for (const FlagOption& flag : FlagOptions()) {
    std::string left = FlagLeftColumn(flag);
    out += left;
    out.append(left.size() < kHelpColumn ? kHelpColumn - left.size() : 1, ' ');
    AppendIndented(out, flag.help, kHelpColumn);
  }
  out += "\n";
  out += ExtendedHelpText();
  return out;
}

std::string ExtendedHelpText() {
  std::string out = "Keys of -o (most can be turned off with the no_ key beside them):\n";
  for (std::span<const ExtendedOption> table : {CoreExtendedOptions(), TlsExtstoreOptions()}) {
    for (std::size_t i = 0; i < table.size(); ++i) {
      // Keys without help text of their own (the no_* twins) share the line of the key above.
      std::string names = "  " + std::string(table[i].name);
      if (table[i].arg == ArgKind::kRequired) names += "=<value>";
      if (table[i].arg == ArgKind::kOptional) names += "[=<value>]";
      std::size_t twin = i + 1;
      for (; twin < table.size() && table[twin].help.empty(); ++twin) {
        names += ", " + std::string(table[twin].name);
      }
      out += names + "\n      ";
      AppendIndented(out, table[i].help, 6);
      i = twin - 1;
    }
  }
  return out;
}

std::string LicenseText() {
  return "mnemod " MNEMO_VERSION
         " is part of Mnemo; see the LICENSE file of its source\n"
         "distribution for the terms. It contains no code from memcached or libevent.\n";
}

}  // namespace mnemo::server
