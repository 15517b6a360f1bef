// WatchStream: one server-streaming Watch call. Exactly one write in flight; the next batch
// of events is fetched by sequence when the previous write completes or the hub wakes it.
// Finish is never called under the stream's lock (gRPC may run OnDone inline).
//
// The Watch methods are registered raw (bytes in, bytes out): a stream writes the hub's
// encoded slice of each event as it is, so N subscribers cost N writes and one encoding.
// Writes are not given WriteOptions::set_buffer_hint(): with one write in flight, as the
// callback API allows, a hinted write completes only once something flushes it, which a
// quiet stream never does (grpc/grpc#12975, #34231). Coalescing of a burst comes from the
// transport instead: messages queued while the connection's write is in flight leave in its
// next write, together with every other stream's.
#pragma once

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include <grpcpp/grpcpp.h>

#include "services/error_mapping.h"
#include "services/watch_hub.h"

namespace oms::services {

// Initial metadata a Watch stream sends once it is subscribed. A refused stream also sends
// (empty) initial metadata, with its status, so a client that must tell the two apart before
// the first event (the HTTP gateway, which answers 200 or an error) looks for this key.
inline constexpr char kWatchSubscribedKey[] = "oms-subscribed";

// Parses the request of a raw Watch method (the buffer is the call's; it stays untouched).
template <typename Request>
Status ParseWatchRequest(const grpc::ByteBuffer* buffer, Request* request) {
  grpc::ByteBuffer copy(*buffer);  // shares the slices
  if (!grpc::SerializationTraits<Request>::Deserialize(&copy, request).ok()) {
    return Status::InvalidArgument("request", "the request does not parse");
  }
  return Status::Ok();
}

class WatchStream final : public grpc::ServerWriteReactor<grpc::ByteBuffer> {
 public:
  // Starts streaming events after `after` that match `filter`; ends at once with `refusal`
  // if it is not ok.
  static grpc::ServerWriteReactor<grpc::ByteBuffer>* Start(WatchHub& hub, WatchFilter filter,
                                                           int64_t after, const Status& refusal,
                                                           grpc::CallbackServerContext* context) {
    filter.Prepare();
    auto* stream = new WatchStream(hub, std::move(filter), after);
    Status status = refusal.ok() ? hub.Subscribe(stream->core_) : refusal;
    if (!status.ok()) {
      // Through the core, so that a cancel arriving before the status is sent (OnCancel may
      // follow Finish) finds the stream finishing and does not Finish it a second time.
      stream->subscribed_ = false;
      stream->core_->End(status);
      return stream;
    }
    // Tells the client the stream is registered: anything committed from now on reaches it.
    context->AddInitialMetadata(kWatchSubscribedKey, "1");
    stream->StartSendInitialMetadata();
    stream->core_->Pump();
    return stream;
  }

  void OnSendInitialMetadataDone(bool /*ok*/) override {}
  void OnWriteDone(bool ok) override { core_->WriteDone(ok); }
  void OnCancel() override { core_->End(Status(Code::kUnavailable, "cancelled")); }
  void OnDone() override {
    core_->Detach();
    if (subscribed_) hub_.Unsubscribe(core_.get());
    delete this;
  }

 private:
  class Core final : public WatchHub::Subscriber {
   public:
    Core(WatchStream* stream, WatchHub& hub, WatchFilter filter, int64_t after)
        : stream_(stream), hub_(hub), filter_(std::move(filter)), after_(after) {}

    void Wake() override { Pump(); }
    int64_t position() const override { return position_.load(std::memory_order_relaxed); }
    void Close(const Status& status) override { End(status); }
    const WatchFilter& filter() const override { return filter_; }
    bool Skip(int64_t from, int64_t to) override {
      std::lock_guard lock(mu_);
      if (after_ < from) return false;
      if (to > after_) {
        after_ = to;
        position_.store(after_, std::memory_order_relaxed);
      }
      return true;
    }

    void Pump() {
      std::optional<grpc::Status> finish;
      WatchStream* stream;
      {
        std::lock_guard lock(mu_);
        stream = stream_;
        if (!stream_ || writing_ || finishing_) return;
        // Reads on while a read finds nothing for this stream but moves on: a replay from
        // the log examines a chunk at a time, and a chunk without a match must not leave the
        // stream waiting for the next commit.
        while (buffer_.empty()) {
          int64_t before = after_;
          Status s = hub_.Next(&after_, filter_, kBatch, &buffer_);
          position_.store(after_, std::memory_order_relaxed);
          if (!s.ok()) {
            finishing_ = true;
            finish = ToGrpcStatus(s);
            break;
          }
          if (after_ == before || after_ >= hub_.head()) break;
        }
        if (!finish && !buffer_.empty()) {
          // The hub's bytes, shared: a reference, not a copy.
          grpc::ByteBuffer next(&buffer_.front()->wire, 1);
          message_.Swap(&next);
          buffer_.pop_front();
          writing_ = true;
          hub_.CountWritten(1);
          stream_->StartWrite(&message_);
        }
      }
      if (finish) stream->Finish(*finish);
    }

    void WriteDone(bool ok) {
      std::optional<grpc::Status> finish;
      WatchStream* stream;
      {
        std::lock_guard lock(mu_);
        writing_ = false;
        message_.Clear();
        stream = stream_;
        if (pending_finish_) {
          finish = *pending_finish_;
          pending_finish_.reset();
        } else if (!ok && !finishing_) {
          finishing_ = true;
          finish = grpc::Status(grpc::StatusCode::CANCELLED, "client went away");
        }
      }
      if (finish) return stream->Finish(*finish);
      Pump();
    }

    // Ends the stream with `status` once any write in flight has completed.
    void End(const Status& status) {
      std::optional<grpc::Status> finish;
      WatchStream* stream;
      {
        std::lock_guard lock(mu_);
        stream = stream_;
        if (!stream_ || finishing_) return;
        finishing_ = true;
        if (writing_) {
          pending_finish_ = ToGrpcStatus(status);
        } else {
          finish = ToGrpcStatus(status);
        }
      }
      if (finish) stream->Finish(*finish);
    }

    void Detach() {
      std::lock_guard lock(mu_);
      stream_ = nullptr;
    }

   private:
    static constexpr size_t kBatch = 64;
    std::mutex mu_;
    WatchStream* stream_;
    WatchHub& hub_;
    const WatchFilter filter_;
    int64_t after_;
    std::atomic<int64_t> position_{0};
    std::deque<WatchEventPtr> buffer_;  // at most kBatch
    grpc::ByteBuffer message_;          // the write in flight
    bool writing_ = false;
    bool finishing_ = false;
    std::optional<grpc::Status> pending_finish_;
  };

  WatchStream(WatchHub& hub, WatchFilter filter, int64_t after)
      : hub_(hub), core_(std::make_shared<Core>(this, hub, std::move(filter), after)) {}

  WatchHub& hub_;
  std::shared_ptr<Core> core_;
  bool subscribed_ = true;
};

}  // namespace oms::services
