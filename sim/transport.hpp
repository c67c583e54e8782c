#pragma once
// The MQTT connection of one simulated edge node, as edge_node sees it. The real one is
// paho_transport (paho.mqtt.cpp async_client); unit tests use a recording fake. Every call is
// non-blocking and made from the scheduling thread; outcomes of asynchronous operations come
// back as sim_events through the event queue, tagged with the connection generation they
// belong to so late events of an earlier connection can be told apart.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace floe::sim {

using topic_ref = std::shared_ptr<const std::string>;

struct connect_request {
  uint32_t generation = 0; // echoed in the events of this connection
  std::string will_topic;  // NDEATH topic; Will QoS 1, retain false
  std::string will_payload;
  std::vector<std::string> subscriptions; // each at QoS 1, after CONNACK
};

enum class publish_status : uint8_t {
  accepted,      // handed to the client; it will be written in order
  not_connected, // refused: no connection (nothing was sent)
  queue_full,    // refused: the client's queue is full (nothing was sent)
  failed,        // refused for another reason (nothing was sent)
};

class edge_transport {
public:
  virtual ~edge_transport() = default;

  // Starts CONNECT (clean session, the Will) and, once connected, the subscriptions. Reports
  // sim_event connected / connect_failed; later connection_lost and message.
  virtual void connect(const connect_request& req) = 0;
  // Hands one message over without waiting; `tag` comes back in a delivery_failed event.
  virtual publish_status publish(const topic_ref& topic, const std::string& payload, int qos,
                                 uint64_t tag) = 0;
  // Messages handed over and not yet written out on the current connection.
  virtual size_t in_flight() const = 0;
  // Starts a clean DISCONNECT; the client first sends what is queued and waits up to `grace`
  // for QoS 1 acknowledgements. No events follow.
  virtual void disconnect(std::chrono::milliseconds grace) = 0;
  // Blocks until the last disconnect() finished or `deadline` passed; false on timeout.
  virtual bool wait_disconnected(std::chrono::steady_clock::time_point deadline) = 0;
  // Fault injection: closes the TCP connection without DISCONNECT, so the broker publishes the
  // Will. False when this transport cannot do that or is not connected.
  virtual bool drop_connection() = 0;
};

// Events from transports to the scheduling thread.
struct sim_event {
  enum class kind : uint8_t { connected, connect_failed, connection_lost, message, delivery_failed };
  kind what = kind::connected;
  uint32_t node = 0;
  uint32_t generation = 0;
  uint64_t tag = 0;        // delivery_failed
  std::string topic;       // message
  std::string payload;     // message
  std::string reason;      // connect_failed, connection_lost
};

} // namespace floe::sim
