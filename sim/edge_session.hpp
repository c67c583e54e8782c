#pragma once
// Sparkplug B 3.0 session bookkeeping of one simulated edge node, without any I/O:
//  - bdSeq: 0 for the first CONNECT, +1 for every further CONNECT, 255 wraps to 0; the NBIRTH
//    of a session repeats the bdSeq of that session's Will; a Rebirth keeps it.
//  - seq: one counter for NBIRTH, DBIRTH, NDATA, DDATA and DDEATH; NBIRTH is 0, every further
//    message previous + 1, 255 wraps to 0. NDEATH carries none.
//  - primary host: with one configured, births wait for its STATE online (timestamp not older
//    than the last STATE seen); an offline STATE not older than the last online one ends the
//    session (NDEATH, disconnect, reconnect and wait again); older STATEs are ignored.
// Not thread-safe: the scheduling thread owns it.

#include <cstdint>

namespace floe::sim {

enum class session_phase : uint8_t {
  disconnected,  // no MQTT connection
  connecting,    // CONNECT sent, CONNACK and SUBACKs outstanding
  awaiting_host, // connected; waiting for the primary host's online STATE
  online,        // births published; DATA flows
};

const char* to_string(session_phase p) noexcept;

enum class host_reaction : uint8_t {
  none,       // nothing to do
  birth,      // publish NBIRTH and all DBIRTHs now
  go_offline, // publish NDEATH, disconnect, reconnect later
};

class edge_session {
public:
  explicit edge_session(bool wait_for_primary_host) noexcept : wait_for_host_(wait_for_primary_host) {}

  // A CONNECT is about to be sent; returns the bdSeq for its Will and, later, its NBIRTH.
  uint8_t begin_connect() noexcept;
  // CONNACK and the subscriptions' SUBACKs arrived. True: publish the births now.
  bool connected() noexcept;
  // The CONNECT failed, the connection was lost, or the node disconnected on purpose.
  void disconnected() noexcept;

  // A STATE message of the configured primary host.
  host_reaction host_state(bool online, uint64_t timestamp) noexcept;

  // NCMD Node Control/Rebirth = true: whether births must be published (only while online;
  // before the first birth the coming births answer it anyway).
  bool accepts_rebirth() const noexcept { return phase_ == session_phase::online; }

  // Births start: returns the NBIRTH's seq (0); the following DBIRTHs use next_seq().
  uint8_t begin_birth() noexcept;
  // seq for the next message and advance.
  uint8_t next_seq() noexcept;
  // Fault injection: leave one seq number out.
  void skip_seq() noexcept { seq_ = static_cast<uint8_t>(seq_ + 1); }
  // The message that took the latest seq never reached MQTT: give the number back so the
  // stream a host sees has no gap.
  void return_seq() noexcept { seq_ = static_cast<uint8_t>(seq_ - 1); }

  uint8_t bdseq() const noexcept { return bdseq_; }
  uint8_t peek_seq() const noexcept { return seq_; }
  session_phase phase() const noexcept { return phase_; }
  bool connected_now() const noexcept {
    return phase_ == session_phase::awaiting_host || phase_ == session_phase::online;
  }
  bool host_online() const noexcept { return host_online_; }
  bool waits_for_host() const noexcept { return wait_for_host_; }
  // Number of CONNECTs begun so far.
  uint64_t connects() const noexcept { return connects_; }

private:
  bool wait_for_host_;
  session_phase phase_ = session_phase::disconnected;
  uint8_t next_bdseq_ = 0;
  uint8_t bdseq_ = 0;
  uint8_t seq_ = 0;
  uint64_t connects_ = 0;
  // Primary host STATE tracking.
  bool host_online_ = false; // an acceptable online STATE was seen on this connection
  bool seen_state_ = false;
  uint64_t last_state_ts_ = 0;
  bool seen_online_ = false;
  uint64_t last_online_ts_ = 0;
};

} // namespace floe::sim
