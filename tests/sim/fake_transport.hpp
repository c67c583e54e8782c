#pragma once
// An edge_transport that records what an edge_node hands to MQTT, for tests without a broker.
// The test decides what the "network" does: connect() only records the request; the test
// then feeds sim_events (connected, connection_lost, message) to the edge node itself.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "sim/transport.hpp"
#include "sparkplug/payload_codec.hpp"
#include "sparkplug/topic.hpp"

namespace floe::sim::testing {

struct sent_message {
  std::string topic;
  std::string payload;
  int qos = 0;
  uint64_t tag = 0;

  sparkplug::message_type type() const { return sparkplug::parse_topic(topic)->type; }
  sparkplug::payload decoded() const {
    auto p = sparkplug::decode_payload(payload);
    if (!p)
      throw std::runtime_error("undecodable payload on " + topic);
    return std::move(*p);
  }
};

// Shared between the test and the transport the edge node owns.
struct wire {
  std::vector<connect_request> connects;
  std::vector<sent_message> sent;
  size_t disconnects = 0;
  size_t drops = 0;
  size_t in_flight = 0;            // what in_flight() reports
  publish_status next_status = publish_status::accepted;
  size_t refuse_next = 0;          // refuse this many publishes with next_status
  std::vector<size_t> refuse_calls; // refuse these publish calls (0-based) with next_status
  size_t publish_calls = 0;
  bool can_drop = true;

  std::vector<sent_message> of_type(sparkplug::message_type t) const {
    std::vector<sent_message> out;
    for (const auto& m : sent)
      if (m.type() == t)
        out.push_back(m);
    return out;
  }
};

class fake_transport final : public edge_transport {
public:
  explicit fake_transport(std::shared_ptr<wire> w) : wire_(std::move(w)) {}

  void connect(const connect_request& req) override { wire_->connects.push_back(req); }

  publish_status publish(const topic_ref& topic, const std::string& payload, int qos,
                         uint64_t tag) override {
    size_t call = wire_->publish_calls++;
    if (wire_->refuse_next > 0) {
      --wire_->refuse_next;
      return wire_->next_status;
    }
    for (size_t refused : wire_->refuse_calls)
      if (refused == call)
        return wire_->next_status;
    wire_->sent.push_back({*topic, payload, qos, tag});
    return publish_status::accepted;
  }

  size_t in_flight() const override { return wire_->in_flight; }
  void disconnect(std::chrono::milliseconds) override { ++wire_->disconnects; }
  bool wait_disconnected(std::chrono::steady_clock::time_point) override { return true; }
  bool drop_connection() override {
    if (!wire_->can_drop)
      return false;
    ++wire_->drops;
    return true;
  }

private:
  std::shared_ptr<wire> wire_;
};

} // namespace floe::sim::testing
