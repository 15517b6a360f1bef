// One description per table: its columns in order. Every statement that reads or writes a
// table's rows is built from it (Select, Insert, Upsert), and row readers and binders find a
// column's position by name at compile time, so a misspelt column does not compile and a
// column added to a table cannot shift the others.
#pragma once

#include <algorithm>
#include <array>
#include <cstddef>
#include <string_view>

namespace oms::storage {

enum class ColumnRole {
  kKey,    // part of the primary key: the ON CONFLICT target of an upsert
  kFixed,  // written when the row is inserted, kept by an upsert
  kValue,  // written on insert and by every upsert
};

struct Column {
  std::string_view name;
  ColumnRole role = ColumnRole::kValue;
};

constexpr Column Key(std::string_view name) { return {name, ColumnRole::kKey}; }
constexpr Column Fixed(std::string_view name) { return {name, ColumnRole::kFixed}; }
constexpr Column Value(std::string_view name) { return {name, ColumnRole::kValue}; }

template <size_t N>
struct Table {
  std::string_view name;
  std::array<Column, N> columns;

  // The 0-based position of `column` in a row read with Select<>. A name the table lacks is
  // not a constant expression, so it does not compile.
  consteval int operator[](std::string_view column) const {
    for (size_t i = 0; i < N; ++i) {
      if (columns[i].name == column) return static_cast<int>(i);
    }
    throw "no such column";
  }
  // The 1-based parameter Insert<> and Upsert<> bind `column` to.
  consteval int Param(std::string_view column) const { return (*this)[column] + 1; }
};

template <size_t N>
consteval Table<N> MakeTable(std::string_view name, const Column (&columns)[N]) {
  Table<N> t{name, {}};
  std::copy(columns, columns + N, t.columns.begin());
  return t;
}

// The tables of schema.cc at its latest version, every column in schema order
// (tests/storage/tables_test.cc holds them to PRAGMA table_info).
inline constexpr auto kLocations =
    MakeTable("locations", {Key("location_id"), Value("name"), Value("kind"), Value("ship_enabled"),
                            Value("pickup_enabled"), Value("active"), Value("updated_at")});
inline constexpr auto kLocationGroups =
    MakeTable("location_groups", {Key("group_id"), Value("updated_at")});
inline constexpr auto kLocationGroupMembers =
    MakeTable("location_group_members", {Key("group_id"), Key("position"), Value("location_id")});
inline constexpr auto kStockLevels =
    MakeTable("stock_levels",
              {Key("sku"), Key("location_id"), Value("on_hand"), Value("reserved"),
               Value("safety_stock"), Value("version"), Value("updated_at"), Value("quarantined")});
inline constexpr auto kMovements =
    MakeTable("movements", {Key("movement_id"), Fixed("sku"), Fixed("location_id"), Fixed("delta"),
                            Fixed("on_hand_after"), Fixed("reason"), Fixed("reference"),
                            Fixed("request_id"), Fixed("actor"), Fixed("created_at")});
inline constexpr auto kReservations = MakeTable(
    "reservations", {Key("reservation_id"), Value("state"), Fixed("channel"), Fixed("reference"),
                     Value("order_id"), Value("end_reason"), Fixed("created_at"),
                     Value("updated_at"), Value("expires_at"), Value("promise_by")});
inline constexpr auto kReservationLines =
    MakeTable("reservation_lines",
              {Key("reservation_id"), Key("line_no"), Value("sku"), Value("location_id"),
               Value("quantity"), Value("inbound_id"), Value("promised_at"), Value("at_risk")});
inline constexpr auto kOrders = MakeTable(
    "orders", {Key("order_id"), Value("state"), Fixed("customer_id"), Fixed("pickup_location_id"),
               Fixed("reservation_id"), Fixed("pickup_code"), Fixed("hold_us"), Fixed("created_at"),
               Value("updated_at"), Value("ready_at"), Value("pickup_deadline"),
               Value("failed_pickup_attempts")});
inline constexpr auto kOrderLines = MakeTable(
    "order_lines",
    {Key("order_id"), Key("line_no"), Value("sku"), Value("quantity"), Value("ordered_quantity")});
inline constexpr auto kOrderHistory = MakeTable(
    "order_history",
    {Key("order_id"), Key("seq"), Fixed("state"), Fixed("at"), Fixed("actor"), Fixed("reason")});
inline constexpr auto kReturns = MakeTable(
    "returns", {Key("return_id"), Fixed("order_id"), Fixed("reservation_id"), Fixed("customer_id"),
                Fixed("location_id"), Value("state"), Fixed("reason"), Fixed("reference"),
                Fixed("created_at"), Value("updated_at")});
inline constexpr auto kReturnLines =
    MakeTable("return_lines", {Key("return_id"), Key("line_no"), Value("sku"), Value("quantity"),
                               Value("disposition"), Value("quarantined"), Value("restocked"),
                               Value("written_off")});
inline constexpr auto kReturnHistory = MakeTable(
    "return_history",
    {Key("return_id"), Key("seq"), Fixed("state"), Fixed("at"), Fixed("actor"), Fixed("note")});
inline constexpr auto kInbounds = MakeTable(
    "inbounds", {Key("inbound_id"), Fixed("location_id"), Value("expected_at"), Value("state"),
                 Value("overdue"), Fixed("created_at"), Value("updated_at"), Value("end_reason")});
inline constexpr auto kInboundLines =
    MakeTable("inbound_lines", {Key("inbound_id"), Key("line_no"), Value("sku"), Value("expected"),
                                Value("received"), Value("promised")});
inline constexpr auto kRequests =
    MakeTable("requests", {Key("request_id"), Fixed("method"), Fixed("payload_hash"),
                           Fixed("response"), Fixed("error"), Fixed("created_at")});
inline constexpr auto kEvents = MakeTable(
    "events", {Key("sequence"), Fixed("kind"), Fixed("sku"), Fixed("location_id"), Fixed("subject"),
               Fixed("customer_id"), Fixed("payload"), Fixed("created_at")});

// Calls f(table) for every table above.
template <typename F>
constexpr void ForEachTable(F&& f) {
  f(kLocations);
  f(kLocationGroups);
  f(kLocationGroupMembers);
  f(kStockLevels);
  f(kMovements);
  f(kReservations);
  f(kReservationLines);
  f(kOrders);
  f(kOrderLines);
  f(kOrderHistory);
  f(kReturns);
  f(kReturnLines);
  f(kReturnHistory);
  f(kInbounds);
  f(kInboundLines);
  f(kRequests);
  f(kEvents);
}

namespace sql {

// A string literal as a template argument (the tail of a statement).
template <size_t N>
struct Literal {
  char text[N];
  consteval Literal(const char (&s)[N]) { std::copy(s, s + N, text); }  // NOLINT: implicit
  constexpr std::string_view view() const { return {text, N - 1}; }
};

// Writes text into `out`, or with no `out` only counts it (the first pass sizes the buffer).
class Builder {
 public:
  constexpr explicit Builder(char* out) : out_(out) {}
  constexpr Builder& operator<<(std::string_view s) {
    for (char c : s) Put(c);
    return *this;
  }
  constexpr Builder& operator<<(int n) {
    if (n >= 10) *this << n / 10;
    Put(static_cast<char>('0' + n % 10));
    return *this;
  }
  constexpr size_t size() const { return n_; }

 private:
  constexpr void Put(char c) {
    if (out_) out_[n_] = c;
    ++n_;
  }
  char* out_;
  size_t n_ = 0;
};

enum class Verb { kSelect, kInsert, kUpsert };

template <size_t N>
constexpr void WriteColumns(Builder& b, const Table<N>& t, bool keys_only) {
  bool first = true;
  for (const Column& c : t.columns) {
    if (keys_only && c.role != ColumnRole::kKey) continue;
    b << (first ? "" : ", ") << c.name;
    first = false;
  }
}

// SELECT <columns> FROM <table> <tail>
// INSERT INTO <table>(<columns>) VALUES(?1, …, ?n) <tail>
// … ON CONFLICT(<keys>) DO UPDATE SET <value column> = ?<its position>, … <tail>
template <Verb verb, const auto& table>
constexpr void WriteStatement(Builder& b, std::string_view tail) {
  if constexpr (verb == Verb::kSelect) {
    b << "SELECT ";
    WriteColumns(b, table, /*keys_only=*/false);
    b << " FROM " << table.name;
  } else {
    b << "INSERT INTO " << table.name << "(";
    WriteColumns(b, table, /*keys_only=*/false);
    b << ") VALUES(";
    for (int i = 1; i <= static_cast<int>(table.columns.size()); ++i) {
      b << (i > 1 ? ", ?" : "?") << i;
    }
    b << ")";
  }
  if constexpr (verb == Verb::kUpsert) {
    b << " ON CONFLICT(";
    WriteColumns(b, table, /*keys_only=*/true);
    b << ") DO UPDATE SET ";
    bool first = true;
    for (int i = 0; i < static_cast<int>(table.columns.size()); ++i) {
      if (table.columns[i].role != ColumnRole::kValue) continue;
      b << (first ? "" : ", ") << table.columns[i].name << " = ?" << i + 1;
      first = false;
    }
  }
  if (!tail.empty()) b << " " << tail;
}

// The statement's text as a constant with static storage: the statement cache keys on the
// pointer, and no value can ever be part of the text.
template <Verb verb, const auto& table, Literal tail>
struct Text {
  static constexpr size_t kSize = [] {
    Builder b(nullptr);
    WriteStatement<verb, table>(b, tail.view());
    return b.size();
  }();
  static constexpr std::array<char, kSize + 1> kText = [] {
    std::array<char, kSize + 1> text{};
    Builder b(text.data());
    WriteStatement<verb, table>(b, tail.view());
    return text;
  }();
};

}  // namespace sql

// "SELECT <every column> FROM <table> <tail>": rows for the table's row reader.
template <const auto& table, sql::Literal tail = "">
constexpr const char* Select() {
  return sql::Text<sql::Verb::kSelect, table, tail>::kText.data();
}

// "INSERT INTO <table>(<every column>) VALUES(?1, …) <tail>": parameters for its binder.
template <const auto& table, sql::Literal tail = "">
constexpr const char* Insert() {
  return sql::Text<sql::Verb::kInsert, table, tail>::kText.data();
}

// Insert<> that, for an existing key, updates the kValue columns and keeps the kFixed ones.
template <const auto& table, sql::Literal tail = "">
constexpr const char* Upsert() {
  return sql::Text<sql::Verb::kUpsert, table, tail>::kText.data();
}

}  // namespace oms::storage
