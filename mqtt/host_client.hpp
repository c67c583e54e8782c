#pragma once
// floe-node's connection to the MQTT broker, with the Sparkplug 3.0 primary-host STATE
// lifecycle: Will = {"online":false,"timestamp":T} retained QoS 1 on spBv1.0/STATE/<host id>,
// CONNECT, subscribe the own STATE topic and the data filters, then publish the birth with the
// same T. A foreign "offline" on our STATE topic is answered by re-publishing the birth; on
// connection loss a fresh T is taken and the client reconnects with exponential backoff.
//
// Threads: message and status handlers run on paho's callback thread, one at a time; they must
// not block. publish/subscribe/unsubscribe are thread-safe and never block.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>

#include "config/defaults.hpp"

namespace mqtt {
class async_client;
} // namespace mqtt

namespace floe::mqtt_link {

struct host_client_options {
  std::string broker_uri{defaults::mqtt::broker_uri};
  std::string host_id;   // Sparkplug host id: the STATE topic level
  std::string client_id; // empty: "floe-<host id>"
  std::string username;
  std::string password;
  // TLS to the broker (ssl:// URIs): CA bundle, client certificate and key (PEM paths).
  std::string tls_ca_file;
  std::string tls_cert_file;
  std::string tls_key_file;
  int keep_alive_s = defaults::mqtt::keep_alive_s;
  int reconnect_min_ms = defaults::mqtt::reconnect_min_ms;
  int reconnect_max_ms = defaults::mqtt::reconnect_max_ms;
  // Subscription QoS for data filters.
  int subscribe_qos = defaults::mqtt::subscribe_qos;
};

struct host_client_stats {
  uint64_t messages_in = 0;
  uint64_t publishes = 0;
  uint64_t publish_failures = 0; // rejected by the client (disconnected, buffer full)
  uint64_t connects = 0;
  uint64_t connection_losses = 0;
  uint64_t state_reasserts = 0; // births re-published after a foreign offline STATE
  bool connected = false;
};

class host_client {
public:
  // Called for every message except our own STATE; payload bytes are only valid during the call.
  using message_handler = std::function<void(std::string_view topic, std::string_view payload)>;
  // Called on connect (true) and on connection loss (false), with a human-readable reason.
  using status_handler = std::function<void(bool connected, const std::string& reason)>;

  host_client(host_client_options opts, message_handler on_message, status_handler on_status);
  ~host_client();
  host_client(const host_client&) = delete;
  host_client& operator=(const host_client&) = delete;

  // Starts connecting in the background; returns at once. Error text when the options are
  // unusable (bad URI, missing host id).
  std::string start();
  // Publishes {"online":false,...}, disconnects and joins the connection thread. Blocks at most
  // about `timeout`.
  void stop(std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));

  // QoS 0/1 publish; dropped (and counted) while disconnected.
  void publish(const std::string& topic, const std::string& payload, int qos = 0,
               bool retain = false);
  // Filters are remembered and re-subscribed after every reconnect. `on_subscribed`, when
  // given, is called once on paho's thread with the broker's answer (true: SUBACK) if the
  // subscribe went out now; not at all while disconnected (the reconnect subscribes it and the
  // caller learns of the reconnect from the status handler).
  void subscribe(const std::string& filter, std::function<void(bool)> on_subscribed = {});
  void unsubscribe(const std::string& filter);

  host_client_stats stats() const;
  const std::string& state_topic() const noexcept { return state_topic_; }

private:
  void connection_loop();
  bool connect_once(std::string& reason);
  void publish_birth();
  void on_message(const std::string& topic, const std::string& payload);

  host_client_options opts_;
  message_handler on_message_;
  status_handler on_status_;
  std::string state_topic_;
  std::unique_ptr<::mqtt::async_client> client_;

  mutable std::mutex mtx_; // guards the fields below
  std::condition_variable wake_;
  std::set<std::string> filters_;
  bool stopping_ = false;
  bool lost_ = false;
  uint64_t birth_timestamp_ms_ = 0; // T of the current session's Will and birth
  std::thread loop_;

  std::atomic<uint64_t> messages_in_{0};
  std::atomic<uint64_t> publishes_{0};
  std::atomic<uint64_t> publish_failures_{0};
  std::atomic<uint64_t> connects_{0};
  std::atomic<uint64_t> connection_losses_{0};
  std::atomic<uint64_t> state_reasserts_{0};
  std::atomic<bool> connected_{false};
};

} // namespace floe::mqtt_link
