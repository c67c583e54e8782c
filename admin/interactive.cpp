#include "admin/interactive.hpp"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include <editline/readline.h>

#include "config/defaults.hpp"

namespace floe::admin {

namespace {

// libedit's completion hooks are plain C functions: the shell and the current candidates live
// here while run_interactive runs.
shell* active_shell = nullptr;
std::vector<std::string> candidates;
size_t next_candidate = 0;

char* candidate_generator(const char*, int state) {
  if (state == 0)
    next_candidate = 0;
  if (next_candidate >= candidates.size())
    return nullptr;
  return ::strdup(candidates[next_candidate++].c_str());
}

// The unescaped form of a (partial) word as typed.
std::string unescape(const std::string& typed) {
  auto w = split_words(typed);
  if (w && w->size() == 1)
    return (*w)[0];
  auto t = typed;
  if (!t.empty() && t.back() == '\\')
    t.pop_back();
  w = split_words(t);
  if (w && w->size() == 1)
    return (*w)[0];
  return typed;
}

char** attempt_completion(const char* text, int start, int) {
  rl_attempted_completion_over = 1; // never fall back to file names
  candidates.clear();
  if (active_shell == nullptr)
    return nullptr;
  std::string line = rl_line_buffer != nullptr ? rl_line_buffer : "";
  std::string before_text = line.substr(0, std::min<size_t>(static_cast<size_t>(start),
                                                            line.size()));
  auto before = split_words(before_text);
  if (!before)
    return nullptr;
  for (auto& c : active_shell->complete(*before, unescape(text)))
    candidates.push_back(quote_word(c));
  if (candidates.empty())
    return nullptr;
  bool open = true; // every candidate ends in '/': more is to come, no blank after it
  for (auto& c : candidates)
    open = open && !c.empty() && c.back() == '/';
  rl_completion_append_character = open ? '\0' : ' ';
  return rl_completion_matches(text, candidate_generator);
}

} // namespace

std::string default_history_path() {
  const char* home = std::getenv("HOME");
  if (home == nullptr || *home == '\0')
    return {};
  return std::string(home) + "/" + std::string(defaults::admin::history_file);
}

int run_interactive(shell& sh, const std::string& history_path) {
  active_shell = &sh;
  rl_readline_name = "floe-admin";
  rl_attempted_completion_function = attempt_completion;
  // Paths hold '/', metric names may hold most characters: words break at blanks only.
  static char breaks[] = " \t\n";
  rl_completer_word_break_characters = breaks;
  using_history();
  stifle_history(defaults::admin::history_lines);
  if (!history_path.empty())
    read_history(history_path.c_str());
  int rc = exit_ok;
  std::string last;
  for (;;) {
    interrupt_flag() = 0;
    std::string prompt = sh.prompt();
    char* raw = readline(prompt.c_str());
    if (raw == nullptr) {
      if (interrupt_flag() != 0) { // Ctrl-C at the prompt: a fresh line
        std::fputs("\n", stdout);
        continue;
      }
      std::fputs("\n", stdout); // Ctrl-D
      break;
    }
    std::string line = raw;
    std::free(raw);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t'))
      line.pop_back(); // completion leaves a blank; keep the history clean
    if (line.find_first_not_of(" \t") == std::string::npos)
      continue;
    if (line != last) {
      add_history(line.c_str());
      last = line;
      if (!history_path.empty())
        write_history(history_path.c_str());
    }
    rc = sh.run_line(line);
    if (sh.quit_requested())
      break;
  }
  active_shell = nullptr;
  return rc;
}

int run_script(shell& sh, std::istream& in) {
  int worst = exit_ok;
  std::string line;
  while (std::getline(in, line)) {
    int rc = sh.run_line(line);
    worst = std::max(worst, rc);
    if (sh.quit_requested())
      break;
  }
  return worst;
}

} // namespace floe::admin
