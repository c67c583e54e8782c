// floe-admin: the admin shell of floe-node (one command with -c, an interactive shell on a
// terminal, commands from stdin otherwise) and `floe-admin sniff`, a Sparkplug sniffer.
// Exit codes: 0 ok, 1 command failed, 2 node (or broker) unreachable / no answer in time,
// 64 usage error.

#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "admin/interactive.hpp"
#include "admin/node_client.hpp"
#include "admin/options.hpp"
#include "admin/shell.hpp"
#include "admin/sniffer.hpp"

namespace {

using namespace floe::admin;

void on_sigint(int) {
  interrupt_flag() = 1;
}

// Ctrl-C sets interrupt_flag (no SA_RESTART: blocking reads return EINTR).
void catch_sigint() {
  struct sigaction sa {};
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;
  sigaction(SIGINT, &sa, nullptr);
}

int run_admin(const admin_options& o) {
  node_client client{o.node};
  shell_options so;
  so.json = o.json;
  so.timeout = std::chrono::milliseconds(o.timeout_ms);
  so.prompt_timeout = std::min(so.timeout, so.prompt_timeout);
  // Who acknowledges: $USER, else $LOGNAME, else the account name (services and containers
  // often run without either variable).
  if (const char* user = std::getenv("USER"); user && *user)
    so.operator_name = user;
  else if (const char* login = std::getenv("LOGNAME"); login && *login)
    so.operator_name = login;
  else if (const passwd* pw = ::getpwuid(::getuid()); pw && pw->pw_name)
    so.operator_name = pw->pw_name;
  shell sh{client, std::cout, std::cerr, so, system_env()};
  if (!o.command.empty()) // one command; Ctrl-C ends the process as usual
    return sh.run_line(o.command);
  // A session: connect first, so that a wrong address is reported at once.
  if (auto c = client.connect(so.timeout); !c) {
    std::cerr << "cannot reach floe-node at " << client.address() << ": " << c.error().text
              << '\n';
    return exit_unreachable;
  }
  catch_sigint();
  if (::isatty(STDIN_FILENO) == 1)
    return run_interactive(sh, default_history_path());
  return run_script(sh, std::cin);
}

} // namespace

int main(int argc, char** argv) {
  signal(SIGPIPE, SIG_IGN);
  auto cl = parse_command_line(argc, argv);
  int rc = exit_ok;
  switch (cl.what) {
    case command_line::action::help:
      std::fputs(cl.text.c_str(), stdout);
      return exit_ok;
    case command_line::action::fail:
      std::fprintf(stderr, "floe-admin: %s\n(see floe-admin --help)\n", cl.text.c_str());
      return exit_usage;
    case command_line::action::sniff:
      catch_sigint();
      rc = run_sniffer(cl.sniff);
      break;
    case command_line::action::run:
      rc = run_admin(cl.admin);
      break;
  }
  std::cout.flush();
  std::fflush(nullptr);
  return rc;
}
