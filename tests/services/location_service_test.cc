// LocationService against the real in-process server: every RPC's happy path and each error
// of API.md's table that applies, with the ErrorInfo reason (domain oms.v1) and the
// BadRequest field a client would act on.
#include <gtest/gtest.h>

#include "tests/support/error_details.h"
#include "tests/support/live_server.h"

namespace oms::testing {
namespace {

class LocationServiceTest : public ::testing::Test {
 protected:
  static v1::UpsertLocationRequest LocationRequest(const std::string& id,
                                                   const std::string& request_id = "") {
    v1::UpsertLocationRequest req;
    req.set_request_id(request_id.empty() ? LiveServer::NextId() : request_id);
    auto* l = req.mutable_location();
    l->set_location_id(id);
    l->set_name("Store " + id);
    l->set_kind(v1::LOCATION_KIND_STORE);
    l->set_ship_enabled(true);
    l->set_pickup_enabled(false);
    l->set_active(true);
    return req;
  }

  grpc::Status Upsert(const v1::UpsertLocationRequest& req, v1::UpsertLocationResponse* resp) {
    return server_.locations().UpsertLocation(Ctx().get(), req, resp);
  }
  grpc::Status Upsert(const v1::UpsertLocationRequest& req) {
    v1::UpsertLocationResponse resp;
    return Upsert(req, &resp);
  }

  static v1::UpsertLocationGroupRequest GroupRequest(const std::string& group,
                                                     const std::vector<std::string>& members) {
    v1::UpsertLocationGroupRequest req;
    req.set_request_id(LiveServer::NextId());
    req.set_group_id(group);
    for (const auto& m : members) req.add_location_ids(m);
    return req;
  }

  grpc::Status UpsertGroup(const v1::UpsertLocationGroupRequest& req,
                           v1::UpsertLocationGroupResponse* resp = nullptr) {
    v1::UpsertLocationGroupResponse local;
    return server_.locations().UpsertLocationGroup(Ctx().get(), req, resp ? resp : &local);
  }

  grpc::Status Get(const std::string& id, v1::GetLocationResponse* resp = nullptr) {
    v1::GetLocationRequest req;
    req.set_location_id(id);
    v1::GetLocationResponse local;
    return server_.locations().GetLocation(Ctx().get(), req, resp ? resp : &local);
  }

  LiveServer server_;
};

// --- UpsertLocation --------------------------------------------------------------------------

TEST_F(LocationServiceTest, UpsertLocation_CreatesTheLocation_AndSaysSo) {
  v1::UpsertLocationResponse resp;
  grpc::Status s = Upsert(LocationRequest("s1"), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_TRUE(resp.created());
  EXPECT_EQ(resp.location().location_id(), "s1");
  EXPECT_EQ(resp.location().name(), "Store s1");
  EXPECT_TRUE(resp.location().ship_enabled());
  EXPECT_FALSE(resp.location().pickup_enabled());
  EXPECT_TRUE(resp.location().has_update_time());
}

TEST_F(LocationServiceTest, UpsertLocation_OfAnExistingId_ReplacesEveryField) {
  ASSERT_TRUE(Upsert(LocationRequest("s1")).ok());
  v1::UpsertLocationRequest req = LocationRequest("s1");
  auto* l = req.mutable_location();
  l->set_name("Warehouse");
  l->set_kind(v1::LOCATION_KIND_WAREHOUSE);
  l->set_ship_enabled(false);
  l->set_pickup_enabled(true);
  l->set_active(false);
  v1::UpsertLocationResponse resp;
  ASSERT_TRUE(Upsert(req, &resp).ok());
  EXPECT_FALSE(resp.created());
  v1::GetLocationResponse got;
  ASSERT_TRUE(Get("s1", &got).ok());
  EXPECT_EQ(got.location().name(), "Warehouse");
  EXPECT_EQ(got.location().kind(), v1::LOCATION_KIND_WAREHOUSE);
  EXPECT_FALSE(got.location().ship_enabled());
  EXPECT_TRUE(got.location().pickup_enabled());
  EXPECT_FALSE(got.location().active());
}

TEST_F(LocationServiceTest, UpsertLocation_Retry_ReturnsTheByteIdenticalResponse) {
  v1::UpsertLocationRequest req = LocationRequest("s1", "upsert-once");
  v1::UpsertLocationResponse first, second;
  ASSERT_TRUE(Upsert(req, &first).ok());
  ASSERT_TRUE(Upsert(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_TRUE(second.created());  // the first call's answer, not a second upsert's
}

TEST_F(LocationServiceTest, UpsertLocation_ReusedRequestIdWithAnotherPayload_IsRejected) {
  ASSERT_TRUE(Upsert(LocationRequest("s1", "reused")).ok());
  grpc::Status s = Upsert(LocationRequest("s2", "reused"));
  EXPECT_TRUE(IsError(s, grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED", "request_id"));
  EXPECT_EQ(Get("s2").error_code(), grpc::NOT_FOUND);
}

TEST_F(LocationServiceTest, RequestIdOfOneMethod_ReusedByAnother_IsRejected) {
  ASSERT_TRUE(Upsert(LocationRequest("s1", "cross-method")).ok());
  v1::UpsertLocationGroupRequest group = GroupRequest("g", {"s1"});
  group.set_request_id("cross-method");
  EXPECT_TRUE(IsError(UpsertGroup(group), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithoutRequestId_IsInvalidArgument) {
  v1::UpsertLocationRequest req = LocationRequest("s1");
  req.clear_request_id();
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "request_id"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithA129CharacterRequestId_IsInvalidArgument) {
  EXPECT_TRUE(IsError(Upsert(LocationRequest("s1", std::string(129, 'r'))), grpc::INVALID_ARGUMENT,
                      "", "request_id"));
  EXPECT_TRUE(Upsert(LocationRequest("s1", std::string(128, 'r'))).ok());
}

TEST_F(LocationServiceTest, UpsertLocation_WithoutALocation_NamesTheLocationField) {
  v1::UpsertLocationRequest req;
  req.set_request_id(LiveServer::NextId());
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "location"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithUnspecifiedKind_NamesTheKindField) {
  v1::UpsertLocationRequest req = LocationRequest("s1");
  req.mutable_location()->set_kind(v1::LOCATION_KIND_UNSPECIFIED);
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "location.kind"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithAnUnknownKindValue_NamesTheKindField) {
  v1::UpsertLocationRequest req = LocationRequest("s1");
  req.mutable_location()->set_kind(static_cast<v1::LocationKind>(99));
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "location.kind"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithAControlCharacterInTheName_NamesTheNameField) {
  v1::UpsertLocationRequest req = LocationRequest("s1");
  req.mutable_location()->set_name("bad\x07name");
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "location.name"));
}

TEST_F(LocationServiceTest, UpsertLocation_WithAnOverlongName_NamesTheNameField) {
  v1::UpsertLocationRequest req = LocationRequest("s1");
  req.mutable_location()->set_name(std::string(257, 'n'));
  EXPECT_TRUE(IsError(Upsert(req), grpc::INVALID_ARGUMENT, "", "location.name"));
}

class BadLocationIdTest : public LocationServiceTest,
                          public ::testing::WithParamInterface<std::string> {};

TEST_P(BadLocationIdTest, UpsertLocation_WithIt_IsInvalidArgument_AndStoresNothing) {
  EXPECT_TRUE(IsError(Upsert(LocationRequest(GetParam())), grpc::INVALID_ARGUMENT, "",
                      "location.location_id"));
  v1::ListLocationsResponse list;
  ASSERT_TRUE(server_.locations().ListLocations(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.locations_size(), 0);
}

TEST_P(BadLocationIdTest, GetLocation_WithIt_IsInvalidArgument) {
  EXPECT_TRUE(IsError(Get(GetParam()), grpc::INVALID_ARGUMENT, "", "location_id"));
}

INSTANTIATE_TEST_SUITE_P(Ids, BadLocationIdTest,
                         ::testing::Values(std::string(), std::string(129, 'x'), "with space",
                                           "ctl\x01", std::string("nul\0", 4), "caf\xc3\xa9"),
                         [](const auto& info) { return "Case" + std::to_string(info.index); });

// --- GetLocation -----------------------------------------------------------------------------

TEST_F(LocationServiceTest, GetLocation_ReturnsWhatWasUpserted) {
  v1::UpsertLocationResponse made;
  ASSERT_TRUE(Upsert(LocationRequest("s1"), &made).ok());
  v1::GetLocationResponse got;
  ASSERT_TRUE(Get("s1", &got).ok());
  EXPECT_EQ(got.location().SerializeAsString(), made.location().SerializeAsString());
}

TEST_F(LocationServiceTest, GetLocation_OfAnUnknownId_IsNotFound) {
  EXPECT_TRUE(IsError(Get("nowhere"), grpc::NOT_FOUND));
}

// --- ListLocations ---------------------------------------------------------------------------

TEST_F(LocationServiceTest, ListLocations_PagesVisitEveryLocationOnceInIdOrder) {
  for (int i = 9; i >= 0; --i)
    ASSERT_TRUE(Upsert(LocationRequest("loc-" + std::to_string(i))).ok());
  std::vector<std::string> ids;
  std::string token;
  int pages = 0;
  do {
    v1::ListLocationsRequest req;
    req.set_page_size(3);
    req.set_page_token(token);
    v1::ListLocationsResponse resp;
    ASSERT_TRUE(server_.locations().ListLocations(Ctx().get(), req, &resp).ok());
    EXPECT_LE(resp.locations_size(), 3);
    for (const auto& l : resp.locations()) ids.push_back(l.location_id());
    token = resp.next_page_token();
    ASSERT_LT(++pages, 10);
  } while (!token.empty());
  EXPECT_EQ(pages, 4);
  ASSERT_EQ(ids.size(), 10u);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(ids[i], "loc-" + std::to_string(i));
}

TEST_F(LocationServiceTest, ListLocations_ExactlyOneFullPage_HasNoNextToken) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(Upsert(LocationRequest("l" + std::to_string(i))).ok());
  v1::ListLocationsRequest req;
  req.set_page_size(3);
  v1::ListLocationsResponse resp;
  ASSERT_TRUE(server_.locations().ListLocations(Ctx().get(), req, &resp).ok());
  EXPECT_EQ(resp.locations_size(), 3);
  EXPECT_TRUE(resp.next_page_token().empty());
}

class BadPageSizeTest : public LocationServiceTest, public ::testing::WithParamInterface<int> {};

TEST_P(BadPageSizeTest, ListLocations_RejectsIt_NamingPageSize) {
  v1::ListLocationsRequest req;
  req.set_page_size(GetParam());
  v1::ListLocationsResponse resp;
  EXPECT_TRUE(IsError(server_.locations().ListLocations(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_size"));
}

TEST_P(BadPageSizeTest, ListLocationGroups_RejectsIt_NamingPageSize) {
  v1::ListLocationGroupsRequest req;
  req.set_page_size(GetParam());
  v1::ListLocationGroupsResponse resp;
  EXPECT_TRUE(IsError(server_.locations().ListLocationGroups(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_size"));
}

INSTANTIATE_TEST_SUITE_P(Sizes, BadPageSizeTest, ::testing::Values(-1, 1001, INT32_MIN, INT32_MAX));

class BadPageTokenTest : public LocationServiceTest,
                         public ::testing::WithParamInterface<std::string> {};

TEST_P(BadPageTokenTest, ListLocations_RejectsIt_NamingPageToken) {
  v1::ListLocationsRequest req;
  req.set_page_token(GetParam());
  v1::ListLocationsResponse resp;
  EXPECT_TRUE(IsError(server_.locations().ListLocations(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
}

TEST_P(BadPageTokenTest, ListLocationGroups_RejectsIt_NamingPageToken) {
  v1::ListLocationGroupsRequest req;
  req.set_page_token(GetParam());
  v1::ListLocationGroupsResponse resp;
  EXPECT_TRUE(IsError(server_.locations().ListLocationGroups(Ctx().get(), req, &resp),
                      grpc::INVALID_ARGUMENT, "", "page_token"));
}

INSTANTIATE_TEST_SUITE_P(
    Tokens, BadPageTokenTest,
    ::testing::Values("zz", "abc", "not a token", std::string(2000, 'a'),
                      // hex of "stock:x" and "movements:5": tokens of other lists
                      "73746f636b3a78", "6d6f76656d656e74733a35", "\xc3\xa9\xc3\xa9"),
    [](const auto& info) { return "Case" + std::to_string(info.index); });

// --- UpsertLocationGroup / ListLocationGroups ------------------------------------------------

class LocationGroupTest : public LocationServiceTest {
 protected:
  void SetUp() override {
    for (const char* id : {"s1", "s2", "s3"}) ASSERT_TRUE(Upsert(LocationRequest(id)).ok());
  }
};

TEST_F(LocationGroupTest, UpsertLocationGroup_CreatesIt_KeepingMemberOrder) {
  v1::UpsertLocationGroupResponse resp;
  ASSERT_TRUE(UpsertGroup(GroupRequest("online", {"s3", "s1"}), &resp).ok());
  EXPECT_TRUE(resp.created());
  EXPECT_EQ(resp.group().group_id(), "online");
  ASSERT_EQ(resp.group().location_ids_size(), 2);
  EXPECT_EQ(resp.group().location_ids(0), "s3");
  EXPECT_EQ(resp.group().location_ids(1), "s1");
}

TEST_F(LocationGroupTest, UpsertLocationGroup_OfAnExistingGroup_ReplacesItsMembers) {
  ASSERT_TRUE(UpsertGroup(GroupRequest("g", {"s1", "s2"})).ok());
  v1::UpsertLocationGroupResponse resp;
  ASSERT_TRUE(UpsertGroup(GroupRequest("g", {"s3"}), &resp).ok());
  EXPECT_FALSE(resp.created());
  v1::ListLocationGroupsResponse list;
  ASSERT_TRUE(server_.locations().ListLocationGroups(Ctx().get(), {}, &list).ok());
  ASSERT_EQ(list.groups_size(), 1);
  ASSERT_EQ(list.groups(0).location_ids_size(), 1);
  EXPECT_EQ(list.groups(0).location_ids(0), "s3");
}

TEST_F(LocationGroupTest, UpsertLocationGroup_WithAnUnknownMember_IsNotFound_AndStoresNothing) {
  EXPECT_TRUE(IsError(UpsertGroup(GroupRequest("g", {"s1", "ghost"})), grpc::NOT_FOUND));
  v1::ListLocationGroupsResponse list;
  ASSERT_TRUE(server_.locations().ListLocationGroups(Ctx().get(), {}, &list).ok());
  EXPECT_EQ(list.groups_size(), 0);
}

TEST_F(LocationGroupTest, UpsertLocationGroup_WithADuplicateMember_NamesIt) {
  EXPECT_TRUE(IsError(UpsertGroup(GroupRequest("g", {"s1", "s2", "s1"})), grpc::INVALID_ARGUMENT,
                      "", "location_ids[2]"));
}

TEST_F(LocationGroupTest, UpsertLocationGroup_WithABadMemberId_NamesIt) {
  EXPECT_TRUE(IsError(UpsertGroup(GroupRequest("g", {"s1", "bad id"})), grpc::INVALID_ARGUMENT, "",
                      "location_ids[1]"));
}

TEST_F(LocationGroupTest, UpsertLocationGroup_WithABadGroupId_NamesIt) {
  EXPECT_TRUE(
      IsError(UpsertGroup(GroupRequest("", {"s1"})), grpc::INVALID_ARGUMENT, "", "group_id"));
  EXPECT_TRUE(IsError(UpsertGroup(GroupRequest(std::string(129, 'g'), {"s1"})),
                      grpc::INVALID_ARGUMENT, "", "group_id"));
}

TEST_F(LocationGroupTest, UpsertLocationGroup_Retry_ReturnsTheByteIdenticalResponse) {
  v1::UpsertLocationGroupRequest req = GroupRequest("g", {"s1"});
  v1::UpsertLocationGroupResponse first, second;
  ASSERT_TRUE(UpsertGroup(req, &first).ok());
  ASSERT_TRUE(UpsertGroup(req, &second).ok());
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
}

TEST_F(LocationGroupTest, UpsertLocationGroup_ReusedRequestIdWithOtherMembers_IsRejected) {
  v1::UpsertLocationGroupRequest req = GroupRequest("g", {"s1"});
  ASSERT_TRUE(UpsertGroup(req).ok());
  req.add_location_ids("s2");
  EXPECT_TRUE(IsError(UpsertGroup(req), grpc::INVALID_ARGUMENT, "REQUEST_ID_REUSED"));
}

TEST_F(LocationGroupTest, ListLocationGroups_PagesVisitEveryGroupOnceInIdOrder) {
  for (int i = 6; i >= 0; --i)
    ASSERT_TRUE(UpsertGroup(GroupRequest("g" + std::to_string(i), {"s1"})).ok());
  std::vector<std::string> ids;
  std::string token;
  do {
    v1::ListLocationGroupsRequest req;
    req.set_page_size(2);
    req.set_page_token(token);
    v1::ListLocationGroupsResponse resp;
    ASSERT_TRUE(server_.locations().ListLocationGroups(Ctx().get(), req, &resp).ok());
    for (const auto& g : resp.groups()) ids.push_back(g.group_id());
    token = resp.next_page_token();
  } while (!token.empty() && ids.size() < 100);
  EXPECT_EQ(ids, (std::vector<std::string>{"g0", "g1", "g2", "g3", "g4", "g5", "g6"}));
}

TEST_F(LocationGroupTest, Restart_KeepsLocationsAndGroups) {
  ASSERT_TRUE(UpsertGroup(GroupRequest("online", {"s2", "s1"})).ok());
  server_.Restart();
  v1::GetLocationResponse got;
  ASSERT_TRUE(Get("s3", &got).ok());
  EXPECT_EQ(got.location().name(), "Store s3");
  v1::ListLocationGroupsResponse list;
  ASSERT_TRUE(server_.locations().ListLocationGroups(Ctx().get(), {}, &list).ok());
  ASSERT_EQ(list.groups_size(), 1);
  EXPECT_EQ(list.groups(0).location_ids(0), "s2");
}

}  // namespace
}  // namespace oms::testing
