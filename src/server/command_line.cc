// ParseCommandLine: glibc's getopt_long over the flag table. getopt_long is what memcached uses,
// so every form its users type behaves the same: -vv, -p11211, -p 11211, --port=11211,
// --port 11211, unambiguous prefixes (--memory-l), options after operands, and "--". CLI11 was
// the alternative; it does not take long-option prefixes nor count -vv the same way, and its
// messages differ. getopt's own messages are turned off (opterr = 0) and rebuilt here in glibc's
// words, so that they come back as an Error instead of going to stderr.

#include <getopt.h>

#include <string>
#include <thread>
#include <vector>

#include "server/config_tables.h"

namespace mnemo::server {
namespace {

std::string ShortOptions() {
  std::string spec = ":";  // leading ':' makes a missing value return ':' rather than '?'
  for (const FlagOption& flag : FlagOptions()) {
    if (flag.id >= 256) continue;
    spec += static_cast<char>(flag.id);
    if (flag.arg == ArgKind::kRequired) spec += ':';  // -v's value exists in long form only
  }
  return spec;
}

std::vector<option> LongOptions() {
  std::vector<option> options;
  for (const FlagOption& flag : FlagOptions()) {
    if (flag.long_name == nullptr) continue;
    int has_arg = flag.arg == ArgKind::kNone       ? no_argument
                  : flag.arg == ArgKind::kRequired ? required_argument
                                                   : optional_argument;
    options.push_back({flag.long_name, has_arg, nullptr, flag.id});
  }
  options.push_back({nullptr, 0, nullptr, 0});
  return options;
}

const FlagOption* FindFlag(int id) {
  for (const FlagOption& flag : FlagOptions()) {
    if (flag.id == id) return &flag;
  }
  return nullptr;
}

// glibc's message for a long option it refused, worked out again from the table.
std::string LongOptionError(std::string_view argument) {
  std::string_view name = argument.substr(2, argument.find('=') - 2);
  std::vector<std::string_view> matches;
  for (const FlagOption& flag : FlagOptions()) {
    if (flag.long_name == nullptr) continue;
    std::string_view candidate = flag.long_name;
    if (candidate == name) {
      return "option '--" + std::string(name) + "' doesn't allow an argument";
    }
    if (candidate.starts_with(name)) matches.push_back(candidate);
  }
  if (matches.size() == 1) {
    return "option '--" + std::string(matches[0]) + "' doesn't allow an argument";
  }
  if (matches.empty()) return "unrecognized option '" + std::string(argument) + "'";
  std::string message = "option '" + std::string(argument) + "' is ambiguous; possibilities:";
  for (std::string_view match : matches) message += " '--" + std::string(match) + "'";
  return message;
}

std::string GetoptError(int result, const std::vector<char*>& args) {
  std::string program = args.empty() || args[0] == nullptr ? "mnemod" : args[0];
  const FlagOption* flag = FindFlag(optopt);
  // A missing value can only be at the end of the command line: its last word tells whether
  // the flag was written long or short.
  bool long_form = args.size() > 1 && std::string_view(args.back()).starts_with("--");
  if (result == ':' && long_form && flag != nullptr && flag->long_name != nullptr) {
    return program + ": option '--" + flag->long_name + "' requires an argument";
  }
  if (result == ':') {
    return program + ": option requires an argument -- '" + static_cast<char>(optopt) + "'";
  }
  // '?': an unknown short letter sets optopt to it; a long option sets it to 0, or to the id
  // of a flag that takes no value but was given one.
  if (optopt != 0 && flag == nullptr) {
    return program + ": invalid option -- '" + static_cast<char>(optopt) + "'";
  }
  std::string_view word = optind > 0 && optind <= static_cast<int>(args.size())
                              ? std::string_view(args[optind - 1])
                              : std::string_view();
  if (!word.starts_with("--")) return program + ": invalid option";
  return program + ": " + LongOptionError(word);
}

int DefaultThreads() {
  unsigned cores = std::thread::hardware_concurrency();
  return cores == 0 ? 4 : static_cast<int>(cores);
}

}  // namespace

Result<CommandLine> ParseCommandLine(int argc, char* const* argv) {
  ParseState state;
  state.config.threads = DefaultThreads();
  // getopt_long permutes the array it is given: hand it a copy so that argv stays as it was.
  std::vector<char*> args(argv, argv + argc);
  args.push_back(nullptr);
  const std::string short_options = ShortOptions();
  const std::vector<option> long_options = LongOptions();
  optind = 0;  // 0, not 1: glibc then also forgets what a previous parse left behind
  opterr = 0;
  while (!state.print_and_exit) {
    int id = getopt_long(argc, args.data(), short_options.c_str(), long_options.data(), nullptr);
    if (id == -1) break;
    const FlagOption* flag = FindFlag(id);
    if (id == '?' || id == ':' || flag == nullptr) {
      args.pop_back();
      return Error{GetoptError(id, args)};
    }
    OptionValue value;
    if (optarg != nullptr) value = std::string_view(optarg);
    Result<void> applied = flag->apply(state, value);
    if (!applied) return applied.error();
  }
  if (state.print_and_exit) return CommandLine{{}, std::move(state.print_and_exit), {}};
  if (optind < argc) {
    return Error{"unexpected argument \"" + std::string(args[optind]) +
                 "\" (every setting is a flag; see --help)"};
  }
  Result<void> valid = Validate(state);
  if (!valid) return valid.error();
  return CommandLine{std::move(state.config), std::nullopt, std::move(state.warnings)};
}

}  // namespace mnemo::server
