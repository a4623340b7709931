// The subset of etcd's v3 gRPC API (package etcdserverpb; KeyValue and Event from mvccpb) that the
// etcd backend uses, written out with the public field numbers and names. Message packages do not
// matter on the wire, so everything lives in etcdserverpb; the service paths are etcd's
// (/etcdserverpb.KV/Range, /etcdserverpb.Watch/Watch, /etcdserverpb.Maintenance/Status,
// /etcdserverpb.Cluster/MemberAdd for the embedded etcd's joining servers,
// /etcdserverpb.Maintenance/Snapshot for `kts etcd-snapshot save`).
export const etcdProto = `
syntax = "proto3";
package etcdserverpb;

service KV {
  rpc Range(RangeRequest) returns (RangeResponse) {}
  rpc DeleteRange(DeleteRangeRequest) returns (DeleteRangeResponse) {}
  rpc Txn(TxnRequest) returns (TxnResponse) {}
  rpc Compact(CompactionRequest) returns (CompactionResponse) {}
}

service Watch {
  rpc Watch(stream WatchRequest) returns (stream WatchResponse) {}
}

service Maintenance {
  rpc Status(StatusRequest) returns (StatusResponse) {}
  rpc Snapshot(SnapshotRequest) returns (stream SnapshotResponse) {}
}

service Cluster {
  rpc MemberAdd(MemberAddRequest) returns (MemberAddResponse) {}
  rpc MemberRemove(MemberRemoveRequest) returns (MemberRemoveResponse) {}
  rpc MemberList(MemberListRequest) returns (MemberListResponse) {}
}

message ResponseHeader { uint64 cluster_id = 1; uint64 member_id = 2; int64 revision = 3; uint64 raft_term = 4; }

message KeyValue { bytes key = 1; int64 create_revision = 2; int64 mod_revision = 3; int64 version = 4; bytes value = 5; int64 lease = 6; }

message Event {
  enum EventType { PUT = 0; DELETE = 1; }
  EventType type = 1;
  KeyValue kv = 2;
  KeyValue prev_kv = 3;
}

message RangeRequest {
  bytes key = 1; bytes range_end = 2; int64 limit = 3; int64 revision = 4;
  bool serializable = 7; bool keys_only = 8; bool count_only = 9;
}
message RangeResponse { ResponseHeader header = 1; repeated KeyValue kvs = 2; bool more = 3; int64 count = 4; }

message PutRequest { bytes key = 1; bytes value = 2; int64 lease = 3; bool prev_kv = 4; }
message PutResponse { ResponseHeader header = 1; KeyValue prev_kv = 2; }

message DeleteRangeRequest { bytes key = 1; bytes range_end = 2; bool prev_kv = 3; }
message DeleteRangeResponse { ResponseHeader header = 1; int64 deleted = 2; repeated KeyValue prev_kvs = 3; }

message RequestOp {
  oneof request { RangeRequest request_range = 1; PutRequest request_put = 2; DeleteRangeRequest request_delete_range = 3; }
}
message ResponseOp {
  oneof response { RangeResponse response_range = 1; PutResponse response_put = 2; DeleteRangeResponse response_delete_range = 3; }
}

message Compare {
  enum CompareResult { EQUAL = 0; GREATER = 1; LESS = 2; NOT_EQUAL = 3; }
  enum CompareTarget { VERSION = 0; CREATE = 1; MOD = 2; VALUE = 3; LEASE = 4; }
  CompareResult result = 1;
  CompareTarget target = 2;
  bytes key = 3;
  oneof target_union { int64 version = 4; int64 create_revision = 5; int64 mod_revision = 6; bytes value = 7; int64 lease = 8; }
  bytes range_end = 64;
}
message TxnRequest { repeated Compare compare = 1; repeated RequestOp success = 2; repeated RequestOp failure = 3; }
message TxnResponse { ResponseHeader header = 1; bool succeeded = 2; repeated ResponseOp responses = 3; }

message CompactionRequest { int64 revision = 1; bool physical = 2; }
message CompactionResponse { ResponseHeader header = 1; }

message WatchRequest {
  oneof request_union { WatchCreateRequest create_request = 1; WatchCancelRequest cancel_request = 2; }
}
message WatchCreateRequest {
  bytes key = 1; bytes range_end = 2; int64 start_revision = 3; bool progress_notify = 4;
  bool prev_kv = 6; int64 watch_id = 7; bool fragment = 8;
}
message WatchCancelRequest { int64 watch_id = 1; }
message WatchResponse {
  ResponseHeader header = 1; int64 watch_id = 2; bool created = 3; bool canceled = 4;
  int64 compact_revision = 5; string cancel_reason = 6; bool fragment = 7;
  repeated Event events = 11;
}

message Member { uint64 ID = 1; string name = 2; repeated string peerURLs = 3; repeated string clientURLs = 4; bool isLearner = 5; }
message MemberAddRequest { repeated string peerURLs = 1; bool isLearner = 2; }
message MemberAddResponse { ResponseHeader header = 1; Member member = 2; repeated Member members = 3; }
message MemberRemoveRequest { uint64 ID = 1; }
message MemberRemoveResponse { ResponseHeader header = 1; repeated Member members = 2; }
message MemberListRequest {}
message MemberListResponse { ResponseHeader header = 1; repeated Member members = 2; }

message SnapshotRequest {}
message SnapshotResponse { ResponseHeader header = 1; uint64 remaining_bytes = 2; bytes blob = 3; }

message StatusRequest {}
message StatusResponse { ResponseHeader header = 1; string version = 2; int64 db_size = 3; uint64 leader = 4; repeated string errors = 8; }
`;

// The decoded shapes (proto-loader: camelCase fields, int64 as numbers, bytes as Buffers, enums as names).
export interface PbKeyValue { key: Buffer; createRevision: number; modRevision: number; version: number; value: Buffer }
export interface PbHeader { revision: number }
export interface PbRangeResponse { header: PbHeader; kvs: PbKeyValue[]; more: boolean; count: number }
export interface PbPutResponse { header: PbHeader; prevKv: PbKeyValue | null }
export interface PbDeleteRangeResponse { header: PbHeader; deleted: number; prevKvs: PbKeyValue[] }
export interface PbResponseOp { responseRange?: PbRangeResponse; responsePut?: PbPutResponse; responseDeleteRange?: PbDeleteRangeResponse }
export interface PbTxnResponse { header: PbHeader; succeeded: boolean; responses: PbResponseOp[] }
export interface PbEvent { type: 'PUT' | 'DELETE'; kv: PbKeyValue | null; prevKv: PbKeyValue | null }
export interface PbWatchResponse {
  header: PbHeader | null; watchId: number; created: boolean; canceled: boolean;
  compactRevision: number; cancelReason: string; fragment: boolean; events: PbEvent[];
}
/** One chunk of a snapshot stream: the database's bytes, then etcd's SHA-256 of them as the last blob. */
export interface PbSnapshotResponse { header: PbHeader | null; remainingBytes: number; blob: Buffer }
export interface PbStatusResponse { header: PbHeader; version: string; dbSize: number; leader: number; errors: string[] }

/** A cluster member (IDs are 64-bit: decoded as decimal strings). An unstarted member has no name yet. */
export interface PbMember { ID: string; name: string; peerURLs: string[]; clientURLs: string[]; isLearner: boolean }
export interface PbMemberAddResponse { member: PbMember; members: PbMember[] }

/** The request shapes the backend sends (what proto-loader's fromObject accepts). */
export interface PbRangeRequest { key: Buffer; rangeEnd?: Buffer; limit?: number; revision?: number; countOnly?: boolean }
export interface PbCompare { key: Buffer; target: 'VERSION' | 'CREATE' | 'MOD'; result: 'EQUAL' | 'GREATER' | 'LESS' | 'NOT_EQUAL'; version?: number; createRevision?: number; modRevision?: number }
export interface PbRequestOp {
  requestRange?: PbRangeRequest;
  requestPut?: { key: Buffer; value: Buffer; prevKv?: boolean };
  requestDeleteRange?: { key: Buffer; prevKv?: boolean };
}
export interface PbTxnRequest { compare: PbCompare[]; success: PbRequestOp[]; failure: PbRequestOp[] }
