#include "app/manpage.h"

#include <functional>
#include <sstream>

namespace {

// Text for roff: backslashes escaped, a line starting with '.' or '\'' kept as text.
std::string roff(const std::string& text) {
  std::string out;
  bool lineStart = true;
  for (const char c : text) {
    if (lineStart && (c == '.' || c == '\'')) out += "\\&";
    if (c == '\\') {
      out += "\\e";
    } else if (c == '-') {
      out += "\\-";
    } else {
      out += c;
    }
    lineStart = c == '\n';
  }
  return out;
}

// "--out DIR" / "-n, --name TEXT" / "run" as the option's heading.
std::string optionHeading(const CLI::Option& option) {
  std::string heading;
  for (const std::string& name : option.get_snames()) {
    heading += (heading.empty() ? "" : ", ") + std::string("\\fB\\-") + roff(name) + "\\fR";
  }
  for (const std::string& name : option.get_lnames()) {
    heading += (heading.empty() ? "" : ", ") + std::string("\\fB\\-\\-") + roff(name) + "\\fR";
  }
  if (heading.empty()) return "\\fI" + roff(option.get_name()) + "\\fR";  // positional
  if (option.get_type_size() != 0 && !option.get_type_name().empty()) {
    heading += " \\fI" + roff(option.get_type_name()) + "\\fR";
  }
  return heading;
}

void options(std::ostringstream& out, const CLI::App& command) {
  for (const CLI::Option* option : command.get_options()) {
    if (option->get_group().empty()) continue;  // hidden
    out << ".TP\n" << optionHeading(*option) << "\n" << roff(option->get_description());
    const std::string fallback = option->get_default_str();
    if (!fallback.empty() && option->get_type_size() != 0)
      out << " (default: " << roff(fallback) << ")";
    out << "\n";
  }
}

}  // namespace

std::string manPage(const CLI::App& app, const std::string& version) {
  std::ostringstream out;
  out << ".TH CRISP 1 \"\" \"" << roff(version) << "\" \"User Commands\"\n"
      << ".SH NAME\ncrisp \\- fine\\-tune BERT\\-family classifiers with sparse attention\n"
      << ".SH SYNOPSIS\n.B crisp\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n"
      << ".SH DESCRIPTION\n"
      << roff(app.get_description()) << "\n.PP\n"
      << roff(app.get_footer()) << "\n.SH GLOBAL OPTIONS\n";
  options(out, app);
  out << ".SH COMMANDS\n";
  const auto visible = [](const CLI::App* command) { return !command->get_group().empty(); };
  std::function<void(const CLI::App&, const std::string&)> visit = [&](const CLI::App& command,
                                                                       const std::string& path) {
    for (const CLI::App* sub : command.get_subcommands(visible)) {
      const std::string name = path + " " + sub->get_name();
      out << ".SS \"" << roff(name) << "\"\n" << roff(sub->get_description()) << "\n";
      if (!sub->get_footer().empty() && sub->get_footer() != app.get_footer()) {
        out << ".PP\n.nf\n" << roff(sub->get_footer()) << "\n.fi\n";
      }
      options(out, *sub);
      visit(*sub, name);
    }
  };
  visit(app, "crisp");
  out << ".SH EXIT STATUS\n0 success, 1 a failure at run time, 2 bad input or usage, 128 + N for "
         "a training run stopped by signal N."
         "\n.SH ENVIRONMENT\n.TP\n.B CRISP_THREADS\nIntra\\-op threads when \\fB\\-\\-threads\\fR "
         "is not given.\n.SH SEE ALSO\n\\fBcrisp\\-studio\\fR(1)\n";
  return out.str();
}
