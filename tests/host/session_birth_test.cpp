#define CAF_SUITE session_birth
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

CAF_TEST_FIXTURE_SCOPE(session_birth_tests, session_fixture)

CAF_TEST(nbirth_brings_the_node_online_with_its_bdseq_and_birth_time) {
  CAF_CHECK(!session.online());
  feed(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 20.5, 1)}));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(session.bdseq(), std::optional<uint64_t>{7});
  CAF_CHECK(session.last_seq() == std::optional<uint8_t>{0});
  CAF_CHECK_EQUAL(session.birth_timestamp(), static_cast<int64_t>(birth_ms));
  auto online = all<node_online>();
  CAF_REQUIRE_EQUAL(online.size(), 1u);
  CAF_CHECK_EQUAL(online[0].bdseq, std::optional<uint64_t>{7});
  CAF_CHECK_EQUAL(online[0].birth_timestamp, static_cast<int64_t>(birth_ms));
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
}

CAF_TEST(nbirth_without_payload_timestamp_is_born_at_arrival_time) {
  auto p = nbirth(1, 0);
  p.timestamp.reset();
  feed(mt::nbirth, std::move(p));
  CAF_CHECK_EQUAL(session.birth_timestamp(), now);
}

CAF_TEST(nbirth_reads_bdseq_as_int64_uint64_or_raw_integer) {
  auto p = nbirth(0, 0);
  p.metrics[0] = def(std::string(bdseq_metric), datatype::uint64, uint64_t{200});
  feed(mt::nbirth, std::move(p));
  CAF_CHECK_EQUAL(session.bdseq(), std::optional<uint64_t>{200});

  // Off the wire with the datatype omitted, bdSeq stays a raw integer.
  p = nbirth(0, 0);
  p.metrics[0].datatype_on_wire = false;
  p.metrics[0].val = int64_t{9};
  feed(mt::nbirth, over_the_wire(p));
  CAF_CHECK_EQUAL(session.bdseq(), std::optional<uint64_t>{9});
  CAF_CHECK_EQUAL(faults_of(fault_kind::missing_bdseq), 0u);
}

CAF_TEST(nbirth_without_bdseq_is_accepted_and_flagged) {
  auto p = nbirth(0, 0, {def("Temp", datatype::float64, 1.0)});
  p.metrics.erase(p.metrics.begin());
  feed(mt::nbirth, std::move(p));
  CAF_CHECK(session.online());
  CAF_CHECK(!session.bdseq());
  CAF_CHECK_EQUAL(faults_of(fault_kind::missing_bdseq), 1u);
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::missing_bdseq), 1u);
  CAF_CHECK_EQUAL(updated(), (std::vector<std::string>{"Node Control/Rebirth", "Temp"}));
}

CAF_TEST(nbirth_with_a_non_integer_bdseq_is_accepted_and_flagged) {
  auto p = nbirth(0, 0);
  p.metrics[0] = def(std::string(bdseq_metric), datatype::string, std::string("x"));
  feed(mt::nbirth, std::move(p));
  CAF_CHECK(session.online());
  CAF_CHECK(!session.bdseq());
  CAF_CHECK_EQUAL(faults_of(fault_kind::missing_bdseq), 1u);
}

CAF_TEST(nbirth_without_rebirth_metric_is_accepted_and_flagged) {
  auto p = nbirth(3, 0);
  p.metrics.erase(p.metrics.begin() + 1);
  feed(mt::nbirth, std::move(p));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(faults_of(fault_kind::missing_rebirth_metric), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
}

CAF_TEST(nbirth_seq_is_accepted_whatever_its_value) {
  feed(mt::nbirth, nbirth(1, 200, {def("Temp", datatype::float64, 1.0, 1)}));
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  feed(mt::ndata, temp(201, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(nbirth_without_seq_takes_the_next_seq_as_it_comes) {
  auto p = nbirth(1, 0, {def("Temp", datatype::float64, 1.0, 1)});
  p.seq.reset();
  feed(mt::nbirth, std::move(p));
  CAF_CHECK(session.online());
  CAF_CHECK_EQUAL(faults_of(fault_kind::invalid_seq), 1u);
  feed(mt::ndata, temp(42, 2.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
  feed(mt::ndata, temp(43, 3.0));
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{3.0});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(nbirth_registers_definitions_before_emitting_its_values) {
  sparkplug::property_set props;
  props.keys = {"engUnit"};
  props.values.push_back(property_value{datatype::string, std::string("degC")});
  auto temp_def = def("Temp", datatype::float64, 20.5, 1);
  temp_def.properties = props;
  feed(mt::nbirth, nbirth(7, 0, {temp_def}));
  // node_online, birth_registered, then three values.
  CAF_REQUIRE_EQUAL(events.size(), 5u);
  CAF_CHECK(std::holds_alternative<node_online>(events[0]));
  const auto* reg = std::get_if<birth_registered>(&events[1]);
  CAF_REQUIRE(reg != nullptr);
  CAF_CHECK_EQUAL(reg->device, "");
  CAF_CHECK_EQUAL(reg->timestamp, static_cast<int64_t>(birth_ms));
  CAF_REQUIRE_EQUAL(reg->metrics.size(), 3u);
  CAF_CHECK_EQUAL(reg->metrics[0].name, "bdSeq");
  CAF_CHECK_EQUAL(reg->metrics[2].name, "Temp");
  CAF_CHECK_EQUAL(reg->metrics[2].alias, std::optional<uint64_t>{1});
  CAF_CHECK(reg->metrics[2].type == datatype::float64);
  CAF_REQUIRE(reg->metrics[2].properties);
  CAF_CHECK(*reg->metrics[2].properties == props);
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 3u);
  CAF_CHECK_EQUAL(values[2].name, "Temp");
  CAF_CHECK(values[2].from_birth);
  CAF_CHECK(values[2].value == sparkplug::value{20.5});
  CAF_CHECK_EQUAL(values[2].timestamp, static_cast<int64_t>(birth_ms));
  CAF_CHECK_EQUAL(session.counters().metrics, 3u);
}

CAF_TEST(dbirth_brings_the_device_online_and_registers_its_metrics) {
  feed(mt::nbirth, nbirth(7, 0));
  feed(mt::dbirth, with(1, {def("Level", datatype::int32, int64_t{3}, 10)}, birth_ms + 5), "D1");
  auto online = all<device_online>();
  CAF_REQUIRE_EQUAL(online.size(), 1u);
  CAF_CHECK_EQUAL(online[0].device, "D1");
  CAF_CHECK_EQUAL(online[0].timestamp, static_cast<int64_t>(birth_ms + 5));
  auto reg = all<birth_registered>();
  CAF_REQUIRE_EQUAL(reg.size(), 1u);
  CAF_CHECK_EQUAL(reg[0].device, "D1");
  CAF_REQUIRE_EQUAL(reg[0].metrics.size(), 1u);
  CAF_CHECK_EQUAL(reg[0].metrics[0].name, "Level");
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK_EQUAL(values[0].device, "D1");
  CAF_CHECK(values[0].value == sparkplug::value{int64_t{3}});
  const auto* d1 = session.device("D1");
  CAF_REQUIRE(d1 != nullptr);
  CAF_CHECK(d1->online);
  CAF_CHECK_EQUAL(d1->birth_timestamp, static_cast<int64_t>(birth_ms + 5));
}

CAF_TEST(new_nbirth_marks_devices_offline_until_their_dbirth) {
  born_with_device();
  feed(mt::nbirth, nbirth(7, 0, {def("Temp", datatype::float64, 1.0, 1)}));
  auto off = all<device_offline>();
  CAF_REQUIRE_EQUAL(off.size(), 1u);
  CAF_CHECK_EQUAL(off[0].device, "D1");
  CAF_CHECK(off[0].reason == offline_reason::node_rebirth);
  CAF_CHECK(!session.device("D1")->online);
  // Its data is refused until the DBIRTH.
  feed(mt::ddata, with(1, {by_alias(10, uint64_t{4})}), "D1");
  CAF_CHECK_EQUAL(faults_of(fault_kind::device_without_birth), 1u);
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  feed(mt::dbirth, with(2, {def("Level", datatype::int32, int64_t{5}, 10)}), "D1");
  CAF_CHECK(session.device("D1")->online);
  feed(mt::ddata, with(3, {by_alias(10, uint64_t{6})}), "D1");
  CAF_CHECK_EQUAL(count<metric_update>(), 1u);
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(new_nbirth_rebuilds_the_alias_table) {
  feed(mt::nbirth, nbirth(1, 0, {def("Temp", datatype::float64, 1.0, 1)}));
  feed(mt::nbirth, nbirth(1, 0, {def("Pressure", datatype::float64, 1.0, 2)}));
  feed(mt::ndata, temp(1, 2.0));
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_alias), 1u);
  feed(mt::ndata, with(2, {by_alias(2, 3.0)}));
  CAF_CHECK_EQUAL(updated(), std::vector<std::string>{"Pressure"});
  // The registry replaces Temp by Pressure.
  auto v = session.view();
  CAF_REQUIRE_EQUAL(v.metrics.size(), 3u);
  CAF_CHECK_EQUAL(v.metrics[2].name, "Pressure");
}

CAF_TEST(birth_metric_without_name_is_skipped_and_flagged) {
  auto nameless = def("x", datatype::int32, int64_t{1});
  nameless.name.reset();
  feed(mt::nbirth, nbirth(1, 0, {nameless, def("Temp", datatype::float64, 1.0)}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::invalid_birth_metric), 1u);
  CAF_CHECK_EQUAL(updated(), (std::vector<std::string>{"bdSeq", "Node Control/Rebirth", "Temp"}));
}

CAF_TEST(birth_metric_without_datatype_is_flagged_and_kept_untyped) {
  auto untyped = by_name("Raw", uint64_t{5});
  feed(mt::nbirth, nbirth(1, 0, {untyped}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::invalid_birth_metric), 1u);
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 3u);
  CAF_CHECK(values[2].type == datatype::unknown);
  CAF_CHECK(values[2].value == sparkplug::value{uint64_t{5}});
}

CAF_TEST(metric_listed_twice_in_a_birth_is_one_definition_with_two_values) {
  auto first = def("Temp", datatype::float64, 1.0, 1);
  first.is_historical = true;
  feed(mt::nbirth, nbirth(1, 0, {first, def("Temp", datatype::float64, 2.0, 1)}));
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  CAF_CHECK_EQUAL(all<birth_registered>()[0].metrics.size(), 3u);
  CAF_CHECK_EQUAL(doubles(), (std::vector<double>{1.0, 2.0}));
}

CAF_TEST(nbirth_through_the_codec_is_read_like_the_original) {
  feed(mt::nbirth, over_the_wire(nbirth(5, 0, {def("Temp", datatype::float64, 20.5, 1),
                                              def("Count", datatype::int8, int64_t{-3}, 2)})));
  CAF_CHECK_EQUAL(session.bdseq(), std::optional<uint64_t>{5});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 4u);
  CAF_CHECK(values[3].value == sparkplug::value{int64_t{-3}});
}

CAF_TEST_FIXTURE_SCOPE_END()
