#define CAF_SUITE session_data
#include <caf/test/unit_test.hpp>

#include "session_fixture.hpp"

using namespace floe::host;
using namespace floe::host::test;

CAF_TEST_FIXTURE_SCOPE(session_data_tests, session_fixture)

CAF_TEST(data_before_nbirth_requests_rebirth_and_is_dropped) {
  feed(mt::ndata, temp(5, 1.0));
  CAF_CHECK(!session.online());
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::data_before_birth);
  CAF_CHECK_EQUAL(session.counters().dropped, 1u);
}

CAF_TEST(every_sequenced_message_before_nbirth_counts_as_data_before_birth) {
  feed(mt::dbirth, with(1, {def("Level", datatype::int32, int64_t{3}, 10)}), "D1");
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
  CAF_CHECK(session.device("D1") == nullptr);
  feed(mt::ddata, with(2, {by_alias(10, uint64_t{1})}), "D1");
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
  feed(mt::ddeath, ddeath(3, birth_ms), "D1");
  CAF_CHECK_EQUAL(faults_of(fault_kind::data_before_birth), 1u);
  CAF_CHECK_EQUAL(session.counters().fault_count(fault_kind::data_before_birth), 3u);
  CAF_CHECK_EQUAL(session.counters().dropped, 3u);
}

CAF_TEST(ddata_for_a_device_without_dbirth_requests_rebirth) {
  born_with_device();
  feed(mt::ddata, with(2, {by_alias(10, uint64_t{1})}), "D9");
  CAF_CHECK_EQUAL(count<metric_update>(), 0u);
  CAF_CHECK_EQUAL(faults_of(fault_kind::device_without_birth), 1u);
  auto rebirths = all<rebirth_request>();
  CAF_REQUIRE_EQUAL(rebirths.size(), 1u);
  CAF_CHECK(rebirths[0].reason == rebirth_reason::device_without_birth);
  feed(mt::ndata, temp(3, 3.0)); // its seq was consumed
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{3.0});
}

CAF_TEST(raw_values_are_typed_with_the_birth_datatype) {
  feed(mt::nbirth,
       nbirth(1, 0, {def("I8", datatype::int8, int64_t{0}, 1),
                     def("U32", datatype::uint32, uint64_t{0}, 2),
                     def("F", datatype::float_array, std::vector<float>{}, 3),
                     def("Flag", datatype::boolean, false, 4)}));
  feed(mt::ndata, with(1, {by_alias(1, uint64_t{0xFFFF'FFFF}), by_alias(2, uint64_t{0xFFFF'FFFF}),
                           by_alias(3, bytes{0xA4, 0x70, 0x9D, 0x3F}), by_alias(4, true)}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 4u);
  CAF_CHECK(values[0].type == datatype::int8);
  CAF_CHECK(values[0].value == sparkplug::value{int64_t{-1}});
  CAF_CHECK(values[1].value == sparkplug::value{uint64_t{0xFFFF'FFFF}});
  CAF_CHECK(values[2].type == datatype::float_array);
  CAF_CHECK(values[2].value == sparkplug::value{std::vector<float>{1.23f}});
  CAF_CHECK(values[3].value == sparkplug::value{true});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(data_off_the_wire_without_datatypes_is_typed_by_the_birth) {
  feed(mt::nbirth, over_the_wire(nbirth(1, 0, {def("I16", datatype::int16, int64_t{0}, 1),
                                               def("Name", datatype::string, std::string(), 2),
                                               def("D", datatype::double_array,
                                                   std::vector<double>{}, 3)})));
  auto i16 = def("I16", datatype::int16, int64_t{-300});
  auto name = def("Name", datatype::string, std::string("pump"));
  auto arr = def("D", datatype::double_array, std::vector<double>{1.5, -2.0});
  std::vector<metric> sent;
  uint64_t alias = 1;
  for (auto* m : {&i16, &name, &arr}) {
    m->name.reset();
    m->alias = alias++;
    m->datatype_on_wire = false;
    sent.push_back(*m);
  }
  feed(mt::ndata, over_the_wire(with(1, sent)));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 3u);
  CAF_CHECK_EQUAL(values[0].name, "I16");
  CAF_CHECK(values[0].value == sparkplug::value{int64_t{-300}});
  CAF_CHECK(values[1].value == sparkplug::value{std::string("pump")});
  CAF_CHECK(values[2].value == sparkplug::value{std::vector<double>{1.5, -2.0}});
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(historical_and_transient_flags_pass_through) {
  born_with_device();
  auto old = by_alias(1, 1.0);
  old.is_historical = true;
  old.timestamp = birth_ms - 60'000;
  auto passing = by_alias(1, 2.0);
  passing.is_transient = true;
  feed(mt::ndata, with(2, {old, passing}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 2u);
  CAF_CHECK(values[0].is_historical);
  CAF_CHECK(!values[0].is_transient);
  CAF_CHECK_EQUAL(values[0].timestamp, static_cast<int64_t>(birth_ms - 60'000));
  CAF_CHECK(!values[1].is_historical);
  CAF_CHECK(values[1].is_transient);
}

CAF_TEST(is_null_yields_a_null_value) {
  born_with_device();
  auto gone = by_alias(1, 9.0); // a value field that is_null overrides
  gone.is_null = true;
  feed(mt::ndata, with(2, {gone}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK(std::holds_alternative<std::monostate>(values[0].value));
  CAF_CHECK(values[0].type == datatype::float64);
  CAF_CHECK_EQUAL(count<protocol_fault>(), 0u);
}

CAF_TEST(metric_timestamp_defaults_to_the_payload_then_to_arrival) {
  born_with_device();
  auto stamped = by_alias(1, 1.0);
  stamped.timestamp = birth_ms + 100;
  feed(mt::ndata, with(2, {stamped, by_alias(1, 2.0)}, birth_ms + 200));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 2u);
  CAF_CHECK_EQUAL(values[0].timestamp, static_cast<int64_t>(birth_ms + 100));
  CAF_CHECK_EQUAL(values[1].timestamp, static_cast<int64_t>(birth_ms + 200));
  auto bare = temp(3, 3.0);
  bare.timestamp.reset();
  feed(mt::ndata, std::move(bare));
  values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK_EQUAL(values[0].timestamp, now);
}

CAF_TEST(updates_name_their_metric_by_its_position_in_the_birth) {
  feed(mt::nbirth,
       nbirth(1, 0, {def("A", datatype::int32, int64_t{1}, 1), def("B", datatype::int32, int64_t{2}),
                     def("A", datatype::int32, int64_t{3}, 1),
                     def("C", datatype::int32, int64_t{4}, 3)}));
  auto births = all<birth_registered>();
  CAF_REQUIRE_EQUAL(births.size(), 1u);
  // bdSeq and Node Control/Rebirth come first; "A" listed twice is defined once.
  const auto& defs = births[0].metrics;
  auto position = [&](const std::string& name) {
    for (size_t i = 0; i < defs.size(); ++i)
      if (defs[i].name == name)
        return static_cast<uint32_t>(i);
    return UINT32_MAX;
  };
  auto from_birth = all<metric_update>();
  CAF_REQUIRE_EQUAL(from_birth.size(), defs.size() + 1);
  for (const auto& u : from_birth)
    CAF_CHECK_EQUAL(u.index, position(u.name));
  feed(mt::ndata, with(1, {by_alias(3, uint64_t{40}), by_name("B", uint64_t{20}),
                           by_alias(1, uint64_t{10})}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 3u);
  CAF_CHECK_EQUAL(values[0].index, position("C"));
  CAF_CHECK_EQUAL(values[1].index, position("B"));
  CAF_CHECK_EQUAL(values[2].index, position("A"));
}

CAF_TEST(quality_property_is_reported_and_absent_quality_is_good) {
  born_with_device();
  auto bad = by_alias(1, 1.0);
  bad.properties.emplace();
  bad.properties->keys = {"Quality"};
  bad.properties->values.push_back(property_value{datatype::int32, int64_t{quality_bad}});
  feed(mt::ndata, with(2, {bad, by_alias(1, 2.0)}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 2u);
  CAF_CHECK_EQUAL(values[0].quality, quality_bad);
  CAF_CHECK(static_cast<bool>(values[0].properties));
  CAF_CHECK_EQUAL(values[1].quality, quality_good);
}

CAF_TEST(datatype_differing_from_the_birth_is_applied_as_sent_and_flagged) {
  born_with_device();
  auto m = by_alias(1, std::string("hot"));
  m.type = datatype::string;
  m.datatype_on_wire = true;
  feed(mt::ndata, with(2, {m}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::datatype_mismatch), 1u);
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK(values[0].type == datatype::string);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
}

CAF_TEST(value_that_does_not_fit_the_birth_datatype_is_skipped_and_flagged) {
  born_with_device();
  feed(mt::ndata, with(2, {by_alias(1, std::string("hot")), by_alias(1, 2.0)}));
  CAF_CHECK_EQUAL(faults_of(fault_kind::value_mismatch), 1u);
  CAF_CHECK_EQUAL(doubles(), std::vector<double>{2.0});
}

CAF_TEST(template_members_are_typed_by_the_birth_instance_and_definition) {
  // Definition "Motor" with members Speed (Int16) and Running (Boolean); an instance "M1"
  // that lists only Speed in the birth.
  template_value definition;
  definition.is_definition = true;
  definition.metrics.push_back(def("Speed", datatype::int16, int64_t{0}));
  definition.metrics.push_back(def("Running", datatype::boolean, false));
  template_value instance;
  instance.is_definition = false;
  instance.template_ref.emplace("Motor");
  instance.metrics.push_back(def("Speed", datatype::int16, int64_t{10}));
  feed(mt::nbirth, nbirth(1, 0, {def("Motor", datatype::template_type, definition),
                                 def("M1", datatype::template_type, instance, 1)}));
  auto reg = all<birth_registered>();
  CAF_REQUIRE_EQUAL(reg.size(), 1u);
  CAF_REQUIRE_EQUAL(reg[0].metrics.size(), 4u);
  CAF_CHECK(reg[0].metrics[2].is_template_definition);
  CAF_CHECK_EQUAL(reg[0].metrics[2].members.size(), 2u);
  CAF_REQUIRE(reg[0].metrics[3].template_ref);
  CAF_CHECK_EQUAL(*reg[0].metrics[3].template_ref, "Motor");

  template_value update;
  update.is_definition = false;
  update.metrics.push_back(by_name("Speed", uint64_t{0xFFFF}));
  update.metrics.push_back(by_name("Running", true));
  update.metrics.push_back(by_name("Torque", 1.0));
  feed(mt::ndata, with(1, {by_alias(1, update)}));
  auto values = all<metric_update>();
  CAF_REQUIRE_EQUAL(values.size(), 1u);
  CAF_CHECK(values[0].type == datatype::template_type);
  const auto* tv = std::get_if<template_value>(&values[0].value);
  CAF_REQUIRE(tv != nullptr);
  CAF_REQUIRE_EQUAL(tv->metrics.size(), 3u);
  CAF_CHECK(tv->metrics[0].type == datatype::int16);
  CAF_CHECK(tv->metrics[0].val == sparkplug::value{int64_t{-1}});
  CAF_CHECK(tv->metrics[1].type == datatype::boolean);
  CAF_CHECK(tv->metrics[2].type == datatype::unknown);
  CAF_CHECK_EQUAL(faults_of(fault_kind::unknown_template_member), 1u);
  CAF_CHECK_EQUAL(count<rebirth_request>(), 0u);
}

CAF_TEST(commands_and_state_are_ignored) {
  born_with_device();
  auto before = session.counters().messages;
  feed(mt::ncmd, with(0, {by_name(std::string(node_rebirth_metric), true)}));
  feed(mt::dcmd, with(0, {by_alias(10, uint64_t{1})}), "D1");
  CAF_CHECK(events.empty());
  CAF_CHECK_EQUAL(session.counters().messages, before);
}

CAF_TEST(counters_count_messages_metrics_and_faults) {
  born_with_device();                                   // 2 messages, 3 + 1 metrics
  feed(mt::ndata, with(2, {by_alias(1, 1.0), by_alias(1, 2.0)})); // 2 metrics
  feed(mt::ndata, temp(2, 3.0));                        // duplicate
  feed(mt::ndata, with(3, {by_alias(42, 1.0)}));        // unknown alias
  const auto& c = session.counters();
  CAF_CHECK_EQUAL(c.messages, 5u);
  CAF_CHECK_EQUAL(c.metrics, 6u);
  CAF_CHECK_EQUAL(c.dropped, 1u);
  CAF_CHECK_EQUAL(c.fault_count(fault_kind::duplicate_seq), 1u);
  CAF_CHECK_EQUAL(c.fault_count(fault_kind::unknown_alias), 1u);
  CAF_CHECK_EQUAL(c.rebirths_requested, 1u);
}

CAF_TEST(view_lists_devices_with_online_flags_and_definitions) {
  born_with_device();
  feed(mt::dbirth, with(2, {def("Flow", datatype::float64, 0.5, 20)}), "A0");
  feed(mt::ddeath, ddeath(3, birth_ms + 3), "A0");
  auto v = session.view();
  CAF_CHECK_EQUAL(v.group_id, "G");
  CAF_CHECK_EQUAL(v.edge_node_id, "E");
  CAF_CHECK(v.online);
  CAF_CHECK_EQUAL(v.bdseq, std::optional<uint64_t>{7});
  CAF_CHECK(v.last_seq == std::optional<uint8_t>{3});
  CAF_CHECK_EQUAL(v.birth_timestamp, static_cast<int64_t>(birth_ms));
  CAF_CHECK_EQUAL(v.metrics.size(), 3u);
  CAF_REQUIRE_EQUAL(v.devices.size(), 2u);
  CAF_CHECK_EQUAL(v.devices[0].id, "A0");
  CAF_CHECK(!v.devices[0].online);
  CAF_CHECK_EQUAL(v.devices[0].offline_timestamp, static_cast<int64_t>(birth_ms + 3));
  CAF_CHECK_EQUAL(v.devices[1].id, "D1");
  CAF_CHECK(v.devices[1].online);
  CAF_REQUIRE_EQUAL(v.devices[1].metrics.size(), 1u);
  CAF_CHECK_EQUAL(v.devices[1].metrics[0].name, "Level");
  CAF_CHECK_EQUAL(v.counters.messages, 4u);
}

CAF_TEST(take_events_hands_over_and_clears) {
  feed(mt::nbirth, nbirth(1, 0));
  CAF_CHECK(!events.empty());
  CAF_CHECK(session.events().empty());
  session.take_events(events);
  CAF_CHECK(events.empty());
}

CAF_TEST_FIXTURE_SCOPE_END()
