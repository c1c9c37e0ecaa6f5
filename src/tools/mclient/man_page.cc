// The manual page, rendered in troff from the CLI11 definitions so that it never disagrees
// with --help.
#include <sstream>

#include "cli.h"

namespace mclient {
namespace {

// troff treats a leading '.' or '\'' as a request and '\' as an escape.
std::string Escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
  }
  if (!out.empty() && (out[0] == '.' || out[0] == '\'')) out.insert(0, "\\&");
  return out;
}

void Options(std::ostringstream& out, const CLI::App& app) {
  for (const CLI::Option* opt : app.get_options()) {
    if (opt->get_name() == "--help") continue;
    out << ".TP\n.B " << Escape(opt->get_name(false, true)) << "\n"
        << Escape(opt->get_description()) << "\n";
  }
}

}  // namespace

std::string ManPage(const CLI::App& app) {
  std::ostringstream out;
  out << ".TH MCLIENT 1 \"\" \"mnemo\" \"User Commands\"\n"
      << ".SH NAME\nmclient \\- " << Escape(app.get_description()) << "\n"
      << ".SH SYNOPSIS\n.B mclient\n[\\fIOPTIONS\\fR] \\fICOMMAND\\fR [\\fIARGS\\fR...]\n"
      << ".SH OPTIONS\n";
  Options(out, app);
  out << ".SH COMMANDS\n";
  for (const CLI::App* sub : app.get_subcommands({})) {
    out << ".SS " << Escape(sub->get_name()) << "\n" << Escape(sub->get_description()) << "\n";
    Options(out, *sub);
  }
  out << ".SH EXIT STATUS\n0 success; 1 miss, not stored or not found; 2 usage error; "
         "3 server or connection error.\n"
      << ".SH ENVIRONMENT\n.TP\n.B MEMCACHED_SERVERS\nDefault for \\-\\-servers.\n"
      << ".SH EXAMPLES\n.nf\nmclient set greeting hello\necho \\-n hello | mclient set greeting\n"
         "mclient \\-\\-servers a:11211,b:11211 \\-\\-distribution ketama get greeting\n.fi\n";
  return out.str();
}

}  // namespace mclient
