// WatchStream: one server-streaming Watch call. Exactly one write in flight; the next batch
// of events is fetched by sequence when the previous write completes or the hub wakes it.
// Finish is never called under the stream's lock (gRPC may run OnDone inline).
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

template <typename Message>
class WatchStream final : public grpc::ServerWriteReactor<Message> {
 public:
  // Starts streaming events after `after` that match `filter`; ends at once with `refusal`
  // if it is not ok.
  static grpc::ServerWriteReactor<Message>* Start(WatchHub& hub, WatchFilter filter, int64_t after,
                                                  const Status& refusal,
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

    void Pump() {
      std::optional<grpc::Status> finish;
      WatchStream* stream;
      {
        std::lock_guard lock(mu_);
        stream = stream_;
        if (!stream_ || writing_ || finishing_) return;
        if (buffer_.empty()) {
          Status s = hub_.Next(&after_, filter_, kBatch, &buffer_);
          position_.store(after_, std::memory_order_relaxed);
          if (!s.ok()) {
            finishing_ = true;
            finish = ToGrpcStatus(s);
          }
        }
        if (!finish && !buffer_.empty()) {
          message_.ParseFromString(buffer_.front().payload);
          buffer_.pop_front();
          writing_ = true;
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
    std::deque<StoredEvent> buffer_;  // at most kBatch
    Message message_;
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
