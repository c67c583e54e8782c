#include "admin/sniff_tracker.hpp"

namespace floe::admin {

namespace {

using sparkplug::message_type;

std::string key_of(std::string_view group, std::string_view edge) {
  std::string k(group);
  k += '/';
  k += edge;
  return k;
}

violation make(violation_kind k, std::string text) {
  return violation{k, std::move(text)};
}

} // namespace

const char* to_string(violation_kind k) noexcept {
  switch (k) {
    case violation_kind::seq_gap:
      return "seq_gap";
    case violation_kind::missing_seq:
      return "missing_seq";
    case violation_kind::birth_seq_not_zero:
      return "birth_seq_not_zero";
    case violation_kind::missing_bdseq:
      return "missing_bdseq";
    case violation_kind::data_before_birth:
      return "data_before_birth";
    case violation_kind::stale_ndeath:
      return "stale_ndeath";
    case violation_kind::malformed_payload:
      return "malformed_payload";
    case violation_kind::bad_topic:
      return "bad_topic";
  }
  return "unknown";
}

std::vector<violation> sequence_tracker::observe(const message_facts& m) {
  std::vector<violation> out;
  switch (m.type) {
    case message_type::ncmd:
    case message_type::dcmd:
    case message_type::state:
      return out;
    default:
      break;
  }
  auto& e = edges_[key_of(m.group, m.edge_node)];
  const char* name = sparkplug::to_string(m.type);

  if (m.type == message_type::nbirth) {
    if (!m.seq)
      out.push_back(make(violation_kind::missing_seq, "NBIRTH without seq"));
    else if (*m.seq != 0)
      out.push_back(make(violation_kind::birth_seq_not_zero,
                         "NBIRTH seq " + std::to_string(*m.seq) + ", expected 0"));
    if (!m.bdseq)
      out.push_back(make(violation_kind::missing_bdseq, "NBIRTH without bdSeq metric"));
    e.state = session::online;
    e.last_seq = m.seq ? std::optional<uint8_t>(static_cast<uint8_t>(*m.seq % 256))
                       : std::nullopt;
    e.birth_bdseq = m.bdseq;
    e.flagged_unborn = false;
    e.born_devices.clear();
    e.flagged_devices.clear();
    return out;
  }

  if (m.type == message_type::ndeath) {
    if (!m.bdseq) {
      out.push_back(make(violation_kind::missing_bdseq, "NDEATH without bdSeq metric"));
    } else if (e.state == session::online && e.birth_bdseq && *e.birth_bdseq != *m.bdseq) {
      out.push_back(make(violation_kind::stale_ndeath,
                         "NDEATH bdSeq " + std::to_string(*m.bdseq) + " does not match NBIRTH bdSeq "
                           + std::to_string(*e.birth_bdseq)));
      return out; // an older session's Will: the current session goes on
    }
    e.state = session::dead;
    e.last_seq.reset();
    e.flagged_unborn = false;
    e.born_devices.clear();
    e.flagged_devices.clear();
    return out;
  }

  // NDATA, DBIRTH, DDATA, DDEATH
  if (e.state != session::online && !e.flagged_unborn) {
    e.flagged_unborn = true;
    out.push_back(make(violation_kind::data_before_birth,
                       std::string("data before birth: ") + name + " of "
                         + key_of(m.group, m.edge_node)
                         + (e.state == session::dead ? " after its NDEATH"
                                                     : " without an NBIRTH seen")));
  }
  if (!m.seq) {
    out.push_back(make(violation_kind::missing_seq, std::string(name) + " without seq"));
  } else {
    auto got = static_cast<uint8_t>(*m.seq % 256);
    if (e.last_seq) {
      auto expected = static_cast<uint8_t>(*e.last_seq + 1);
      if (got != expected || *m.seq > 255)
        out.push_back(make(violation_kind::seq_gap, "seq gap: expected "
                                                      + std::to_string(expected) + ", got "
                                                      + std::to_string(*m.seq)));
    }
    e.last_seq = got;
  }
  if (m.type == message_type::dbirth) {
    e.born_devices.insert(m.device);
    e.flagged_devices.erase(m.device);
  } else if (m.type == message_type::ddata || m.type == message_type::ddeath) {
    bool born = e.born_devices.count(m.device) != 0;
    if (!born && e.state == session::online && e.flagged_devices.insert(m.device).second)
      out.push_back(make(violation_kind::data_before_birth,
                         std::string("data before birth: ") + name + " of device " + m.device
                           + " without a DBIRTH since the NBIRTH"));
    if (m.type == message_type::ddeath)
      e.born_devices.erase(m.device);
  }
  return out;
}

violation sequence_tracker::malformed(const message_facts& m, std::string_view error) {
  auto it = edges_.find(key_of(m.group, m.edge_node));
  if (it != edges_.end())
    it->second.last_seq.reset();
  return make(violation_kind::malformed_payload, "malformed payload: " + std::string(error));
}

const sequence_tracker::edge_state* sequence_tracker::find(std::string_view group,
                                                           std::string_view edge_node) const {
  auto it = edges_.find(key_of(group, edge_node));
  return it == edges_.end() ? nullptr : &it->second;
}

} // namespace floe::admin
