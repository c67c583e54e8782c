#pragma once
// floe-admin's interactive loop on a terminal (libedit: line editing, history in
// ~/.floe_admin_history, tab completion from shell::complete) and the plain loop for commands
// on stdin when it is not a terminal.

#include <istream>
#include <string>

#include "admin/shell.hpp"

namespace floe::admin {

// Prompt, read, run until quit or Ctrl-D. Ctrl-C clears the line (and stops tail / stats
// --watch). `history_path` empty: no history file. Returns the exit code of the last command.
int run_interactive(shell& sh, const std::string& history_path);

// One command per line until EOF or quit; no prompt. Returns the highest exit code seen.
int run_script(shell& sh, std::istream& in);

// $HOME/.floe_admin_history, or "" without $HOME.
std::string default_history_path();

} // namespace floe::admin
