#include "admin/options.hpp"

#include <boost/program_options.hpp>

#include <cmath>
#include <cstring>
#include <sstream>

namespace floe::admin {

namespace po = boost::program_options;

namespace {

command_line parse_sniff(int argc, const char* const argv[]) {
  namespace d = defaults::admin;
  command_line out;
  sniff_options& o = out.sniff;
  int64_t count = 0;
  po::options_description desc(
    "floe-admin sniff: print every Sparkplug message on the broker, decoded, and flag protocol "
    "violations\n(seq gaps, data before birth, NDEATH with a stale bdSeq, malformed payloads)."
    "\n\nUsage: floe-admin sniff [options]\n\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("broker", po::value(&o.broker_uri)->default_value(std::string(d::sniff_broker_uri)),
     "MQTT broker URI (tcp://host:port)")
    ("filter", po::value(&o.filter)->default_value(std::string(d::sniff_filter)),
     "MQTT topic filter to subscribe")
    ("json", po::bool_switch(&o.json), "one JSON object per message instead of a line")
    ("count", po::value(&count)->default_value(0),
     "stop after N messages (count; 0 = no limit)")
    ("seconds", po::value(&o.seconds)->default_value(0.0),
     "stop after S seconds (s; 0 = until Ctrl-C)")
    ("timeout", po::value(&o.timeout_ms)->default_value(d::sniff_connect_timeout_ms),
     "how long connecting and subscribing may take (ms)");
  // clang-format on
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    if (vm.count("help") != 0) {
      std::ostringstream help;
      help << desc;
      out.what = command_line::action::help;
      out.text = help.str();
      return out;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    out.text = std::string("sniff: ") + e.what();
    return out;
  }
  if (count < 0) {
    out.text = "sniff: --count must not be negative";
    return out;
  }
  o.count = static_cast<uint64_t>(count);
  if (!std::isfinite(o.seconds) || o.seconds < 0) {
    out.text = "sniff: --seconds must be a non-negative number";
    return out;
  }
  if (o.timeout_ms <= 0) {
    out.text = "sniff: --timeout must be positive (ms)";
    return out;
  }
  if (o.broker_uri.find("://") == std::string::npos) {
    out.text = "sniff: --broker '" + o.broker_uri + "' needs a scheme, e.g. tcp://127.0.0.1:1883";
    return out;
  }
  if (o.filter.empty()) {
    out.text = "sniff: --filter must not be empty";
    return out;
  }
  out.what = command_line::action::sniff;
  return out;
}

} // namespace

command_line parse_command_line(int argc, const char* const argv[]) {
  namespace d = defaults::admin;
  if (argc >= 2 && std::strcmp(argv[1], "sniff") == 0)
    return parse_sniff(argc - 1, argv + 1);
  command_line out;
  admin_options& o = out.admin;
  std::string node_text = to_string(o.node);
  std::string command;
  po::options_description desc(
    "floe-admin: the admin shell of floe-node\n\n"
    "Usage: floe-admin [options]                  interactive shell (commands from stdin when "
    "it is not a terminal)\n"
    "       floe-admin [options] -c \"CMD\"         one command, e.g. -c nodes\n"
    "       floe-admin [options] CMD [ARGS...]    the same\n"
    "       floe-admin sniff [--help]             Sparkplug sniffer on the broker\n"
    "Exit codes: 0 ok, 1 command failed (unknown device, ...), 2 node unreachable or no answer "
    "in time, 64 usage error.\nCommands: run `floe-admin help`.\n\nOptions");
  // clang-format off
  desc.add_options()
    ("help,h", "print this help and exit")
    ("node", po::value(&node_text)->default_value(node_text),
     "floe-node admin port to connect to (host:port)")
    ("command,c", po::value(&command), "run this command and exit")
    ("json", po::bool_switch(&o.json), "print every reply as one JSON object")
    ("timeout", po::value(&o.timeout_ms)->default_value(d::request_timeout_ms),
     "connecting and every query must be answered within this (ms)");
  // clang-format on
  po::variables_map vm;
  std::vector<std::string> words;
  try {
    auto parsed = po::command_line_parser(argc, argv).options(desc).allow_unregistered().run();
    po::store(parsed, vm);
    words = po::collect_unrecognized(parsed.options, po::include_positional);
    if (vm.count("help") != 0) {
      std::ostringstream help;
      help << desc;
      out.what = command_line::action::help;
      out.text = help.str();
      return out;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    out.text = e.what();
    return out;
  }
  auto addr = parse_node_address(node_text, d::node_host);
  if (!addr) {
    out.text = "--node: " + addr.error();
    return out;
  }
  o.node = *addr;
  if (o.timeout_ms <= 0) {
    out.text = "--timeout must be positive (ms)";
    return out;
  }
  if (!words.empty()) {
    if (vm.count("command") != 0) {
      out.text = "give a command either with -c or as arguments, not both";
      return out;
    }
    if (find_command(words[0]) == nullptr) {
      out.text = words[0].compare(0, 1, "-") == 0
                   ? "unknown option " + words[0]
                   : "unknown command '" + words[0] + "' (try: floe-admin help)";
      return out;
    }
    for (auto& w : words)
      command += (command.empty() ? "" : " ") + quote_word(w);
  } else if (vm.count("command") != 0 && command.find_first_not_of(" \t") == std::string::npos) {
    out.text = "-c needs a command";
    return out;
  }
  o.command = command;
  out.what = command_line::action::run;
  return out;
}

} // namespace floe::admin
