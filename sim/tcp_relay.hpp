#pragma once
// A loopback TCP relay between the simulated edge nodes and the broker, used only for
// --fault-drop-every: paho offers no way to close a client's socket without sending
// DISCONNECT, but closing the relayed connection makes the broker see exactly that (a TCP close
// without DISCONNECT), so it publishes the edge node's Will; the client sees a lost connection.
// One listening port per edge node identifies whose connection to cut. Each relayed connection
// uses two pump threads (blocking I/O); meant for test-sized fleets, not for load runs.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"

namespace floe::sim {

class tcp_relay {
public:
  // Listens on 127.0.0.1 (one port per edge node) and forwards to the broker of `broker_uri`
  // (tcp://host:port or mqtt://host:port).
  static result<std::unique_ptr<tcp_relay>, std::string> start(const std::string& broker_uri,
                                                               size_t edge_nodes);
  ~tcp_relay();
  tcp_relay(const tcp_relay&) = delete;
  tcp_relay& operator=(const tcp_relay&) = delete;

  // The URI edge node `node` connects to.
  std::string uri(size_t node) const;
  // Closes every relayed connection of `node` at both ends; false when it had none.
  bool drop(size_t node);

  class impl;

private:
  explicit tcp_relay(std::unique_ptr<impl> p);
  std::unique_ptr<impl> impl_;
};

// Splits tcp://host:port (also mqtt://; port 1883 when absent). Error for other schemes.
struct broker_address {
  std::string host;
  uint16_t port = 1883;
};
result<broker_address, std::string> parse_broker_uri(const std::string& uri);

} // namespace floe::sim
