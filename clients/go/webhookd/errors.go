package webhookd

import (
	"errors"
	"fmt"
	"strings"

	// Registers google.rpc.ErrorInfo and BadRequest with the protobuf
	// registry, so that the details of a status decode without the caller
	// importing the package.
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Error is the error of every failed call of a Client. Get it with errors.As:
//
//	var werr *webhookd.Error
//	if errors.As(err, &werr) && werr.Reason == "PAYLOAD_TOO_LARGE" {
//		log.Printf("payload over %s bytes", werr.Metadata["limit"])
//	}
//
// status.Code and status.FromError work on it too.
type Error struct {
	// The gRPC status code, such as codes.InvalidArgument.
	Code codes.Code
	// The server's message.
	Message string
	// google.rpc.ErrorInfo.reason, such as "PAYLOAD_TOO_LARGE" or
	// "ENDPOINT_NOT_FOUND"; empty when the error has none.
	Reason string
	// google.rpc.ErrorInfo.metadata, such as {"limit": "262144"}; nil when
	// the error has none.
	Metadata map[string]string
	// google.rpc.BadRequest.field_violations: which request fields are
	// invalid, and why.
	FieldViolations []FieldViolation

	status *status.Status
	cause  error
}

// FieldViolation is one invalid field of a request.
type FieldViolation struct {
	// The field, such as "event_type" or "endpoint.url".
	Field string
	// What is wrong with it.
	Description string
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "webhookd: %s: %s", e.Code, e.Message)
	if e.Reason != "" {
		fmt.Fprintf(&b, " (%s)", e.Reason)
	}
	return b.String()
}

// GRPCStatus returns the gRPC status of the error, for status.FromError.
func (e *Error) GRPCStatus() *status.Status {
	if e.status != nil {
		return e.status
	}
	return status.New(e.Code, e.Message)
}

// Unwrap returns the underlying error: the gRPC status error, or the local
// cause of an error raised before anything was sent.
func (e *Error) Unwrap() error { return e.cause }

// newError converts the error of a gRPC call into an *Error, decoding the
// details of its status.
func newError(err error) *Error {
	var existing *Error
	if errors.As(err, &existing) {
		return existing
	}
	st, ok := status.FromError(err)
	if !ok {
		st = status.FromContextError(err)
	}
	e := &Error{Code: st.Code(), Message: st.Message(), status: st, cause: err}
	for _, detail := range st.Details() {
		switch detail := detail.(type) {
		case *errdetails.ErrorInfo:
			e.Reason = detail.GetReason()
			e.Metadata = detail.GetMetadata()
		case *errdetails.BadRequest:
			for _, violation := range detail.GetFieldViolations() {
				e.FieldViolations = append(e.FieldViolations, FieldViolation{
					Field:       violation.GetField(),
					Description: violation.GetDescription(),
				})
			}
		}
	}
	return e
}

// invalidArgument is the error of an argument refused before anything was
// sent, such as a payload that does not encode to JSON.
func invalidArgument(field string, cause error) *Error {
	message := fmt.Sprintf("%s: %v", field, cause)
	return &Error{
		Code:            codes.InvalidArgument,
		Message:         message,
		FieldViolations: []FieldViolation{{Field: field, Description: cause.Error()}},
		cause:           cause,
	}
}
