package webhookd

import (
	"context"
	"math"
	"time"

	"github.com/webhookd/webhookd/clients/go/webhookv1"
)

// GetEvent returns an event exactly as it was signed, with every delivery
// (replays included) and every attempt.
func (c *Client) GetEvent(ctx context.Context, eventID string) (*EventDetail, error) {
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.GetEventResponse, error) {
		return c.raw.GetEvent(ctx, &webhookv1.GetEventRequest{EventId: eventID})
	})
	if err != nil {
		return nil, err
	}
	return &EventDetail{
		Event:      eventFromProto(resp.GetEvent()),
		Deliveries: deliveriesFromProto(resp.GetDeliveries()),
	}, nil
}

// ListEventsOptions select the events of ListEvents. Every field is
// optional.
type ListEventsOptions struct {
	// Only events created at or after this time.
	StartTime time.Time
	// Only events created before this time.
	EndTime time.Time
	// Only events whose type matches one of these ("order.*").
	EventTypes []string
	// Only events with a delivery to this endpoint.
	EndpointID string
	// At most this many (0: the server's default, 100; at most 1000).
	PageSize int
	// From a previous page's NextPageToken.
	PageToken string
}

// ListEvents pages through the event log, oldest first. opts may be nil.
func (c *Client) ListEvents(ctx context.Context, opts *ListEventsOptions) (*Page[Event], error) {
	if opts == nil {
		opts = &ListEventsOptions{}
	}
	req := &webhookv1.ListEventsRequest{
		StartTime:  timestampToProto(opts.StartTime),
		EndTime:    timestampToProto(opts.EndTime),
		EventTypes: opts.EventTypes,
		EndpointId: opts.EndpointID,
		PageSize:   pageSize(opts.PageSize),
		PageToken:  opts.PageToken,
	}
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.ListEventsResponse, error) {
		return c.raw.ListEvents(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	page := &Page[Event]{Items: make([]Event, 0, len(resp.GetEvents())), NextPageToken: resp.GetNextPageToken()}
	for _, event := range resp.GetEvents() {
		page.Items = append(page.Items, eventFromProto(event))
	}
	return page, nil
}

// ListDeliveriesOptions select the deliveries of ListDeliveries and
// ListDeadLetters. Every field is optional.
type ListDeliveriesOptions struct {
	Filter DeliveryFilter
	// At most this many (0: the server's default, 100; at most 1000).
	PageSize int
	// From a previous page's NextPageToken.
	PageToken string
}

// ListDeliveries pages through deliveries, oldest first. opts may be nil.
func (c *Client) ListDeliveries(ctx context.Context, opts *ListDeliveriesOptions) (*Page[Delivery], error) {
	return c.listDeliveries(ctx, opts, false)
}

// ListDeadLetters pages through dead-lettered deliveries, oldest first; the
// filter's States are ignored. opts may be nil.
func (c *Client) ListDeadLetters(ctx context.Context, opts *ListDeliveriesOptions) (*Page[Delivery], error) {
	return c.listDeliveries(ctx, opts, true)
}

func (c *Client) listDeliveries(ctx context.Context, opts *ListDeliveriesOptions, deadLetters bool) (*Page[Delivery], error) {
	if opts == nil {
		opts = &ListDeliveriesOptions{}
	}
	filter, err := filterToProto(opts.Filter)
	if err != nil {
		return nil, err
	}
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.ListDeliveriesResponse, error) {
		if deadLetters {
			return c.raw.ListDeadLetters(ctx, &webhookv1.ListDeadLettersRequest{
				Filter: filter, PageSize: pageSize(opts.PageSize), PageToken: opts.PageToken,
			})
		}
		return c.raw.ListDeliveries(ctx, &webhookv1.ListDeliveriesRequest{
			Filter: filter, PageSize: pageSize(opts.PageSize), PageToken: opts.PageToken,
		})
	})
	if err != nil {
		return nil, err
	}
	return &Page[Delivery]{Items: deliveriesFromProto(resp.GetDeliveries()), NextPageToken: resp.GetNextPageToken()}, nil
}

// RedriveOptions select the dead letters of RedriveDeadLetters.
type RedriveOptions struct {
	// These dead-lettered deliveries; when empty, every one matching Filter.
	DeliveryIDs []string
	// Used when DeliveryIDs is empty; the zero filter matches every dead
	// letter.
	Filter DeliveryFilter
	// Count what would be redriven; change nothing.
	DryRun bool
}

// RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle and
// returns how many it moved back to pending (or would, with DryRun). With
// nil opts, every dead letter is redriven. It is not retried.
func (c *Client) RedriveDeadLetters(ctx context.Context, opts *RedriveOptions) (int64, error) {
	if opts == nil {
		opts = &RedriveOptions{}
	}
	filter, err := filterToProto(opts.Filter)
	if err != nil {
		return 0, err
	}
	req := &webhookv1.RedriveDeadLettersRequest{DeliveryIds: opts.DeliveryIDs, Filter: filter, DryRun: opts.DryRun}
	resp, err := invoke(ctx, c, false, func(ctx context.Context) (*webhookv1.RedriveDeadLettersResponse, error) {
		return c.raw.RedriveDeadLetters(ctx, req)
	})
	if err != nil {
		return 0, err
	}
	return int64(resp.GetCount()), nil
}

// MetricsOptions select the statistics of GetMetrics.
type MetricsOptions struct {
	// The window to report on, in whole seconds; 0 means the last 5 minutes,
	// at most 24 hours.
	Window time.Duration
	// Report on this endpoint only.
	EndpointID string
}

// GetMetrics returns delivery statistics over a time window. opts may be
// nil.
func (c *Client) GetMetrics(ctx context.Context, opts *MetricsOptions) (*Metrics, error) {
	if opts == nil {
		opts = &MetricsOptions{}
	}
	req := &webhookv1.GetMetricsRequest{
		WindowSeconds: uint32(min(max(opts.Window, 0)/time.Second, math.MaxUint32)),
		EndpointId:    opts.EndpointID,
	}
	resp, err := invoke(ctx, c, true, func(ctx context.Context) (*webhookv1.GetMetricsResponse, error) {
		return c.raw.GetMetrics(ctx, req)
	})
	if err != nil {
		return nil, err
	}
	return metricsFromProto(resp), nil
}
