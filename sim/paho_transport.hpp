#pragma once
// edge_transport over one paho.mqtt.cpp async_client (MQTT 3.1.1, clean session, no
// persistence, no automatic reconnect: every CONNECT needs a new Will with the next bdSeq, which
// paho's reconnect would not build). QoS 0 publishes are fire-and-forget: the client's
// completion callback only decrements the in-flight count. paho runs its callbacks on its own
// threads; they only post events to the event_queue and touch atomics.

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "sim/event_queue.hpp"
#include "sim/transport.hpp"

namespace mqtt {
class async_client;
class token;
} // namespace mqtt

namespace floe::sim {

struct paho_transport_options {
  std::string server_uri;
  std::string client_id;
  int keep_alive_s = 30;
  int connect_timeout_s = 10;
  // paho refuses publishes beyond this many queued messages, connected or not (messages).
  int max_buffered_messages = 10'000;
  // Fault injection hook: cuts this client's TCP connection (the relay); empty: unsupported.
  std::function<bool()> drop;
};

class paho_transport final : public edge_transport {
public:
  // Throws std::runtime_error when paho rejects the URI or client id (a startup error).
  paho_transport(paho_transport_options opts, uint32_t node, event_queue& events);
  ~paho_transport() override;

  void connect(const connect_request& req) override;
  publish_status publish(const topic_ref& topic, const std::string& payload, int qos,
                         uint64_t tag) override;
  size_t in_flight() const override;
  void disconnect(std::chrono::milliseconds grace) override;
  bool wait_disconnected(std::chrono::steady_clock::time_point deadline) override;
  bool drop_connection() override;

private:
  class listeners;
  void post(sim_event::kind what, uint32_t generation, std::string reason = {});
  void on_connect_done(bool ok, uint32_t generation, const std::string& reason);
  void on_subscribe_done(bool ok, uint32_t generation, const std::string& reason);
  void on_publish_done(bool ok, void* context);
  // Sends the DISCONNECT requested by disconnect() once the last QoS 1 message (the NDEATH) is
  // acknowledged or `deadline` passed, and waits for it until `deadline`.
  bool finish_disconnect(std::chrono::steady_clock::time_point deadline);

  paho_transport_options opts_;
  uint32_t node_;
  event_queue& events_;
  std::atomic<uint32_t> generation_{0};
  std::atomic<int64_t> in_flight_{0};
  std::mutex subscriptions_mutex_;
  std::vector<std::string> subscriptions_;
  // Scheduling thread only.
  std::shared_ptr<mqtt::token> last_qos1_token_;
  std::shared_ptr<mqtt::token> disconnect_token_;
  bool disconnect_requested_ = false;
  std::chrono::steady_clock::time_point ack_deadline_;
  std::unique_ptr<listeners> listeners_;
  std::unique_ptr<mqtt::async_client> client_; // last: destroyed before the listeners
};

} // namespace floe::sim
