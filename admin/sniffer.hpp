#pragma once
// `floe-admin sniff`: connects to the broker (paho.mqtt.cpp, clean session, own client id),
// subscribes the filter at QoS 0 and prints sniff_core's line for every message on stdout until
// --count messages, --seconds or Ctrl-C (interrupt_flag). A closing summary goes to stderr.
// Returns the exit code: 0 done, 2 broker unreachable or connection lost.

#include "admin/options.hpp"

namespace floe::admin {

int run_sniffer(const sniff_options& o);

} // namespace floe::admin
