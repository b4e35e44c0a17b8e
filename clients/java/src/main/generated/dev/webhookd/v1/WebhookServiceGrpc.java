package dev.webhookd.v1;

import static io.grpc.MethodDescriptor.generateFullMethodName;

/**
 * <pre>
 * WebhookService is the API that producers and operators use.
 * </pre>
 */
@io.grpc.stub.annotations.GrpcGenerated
public final class WebhookServiceGrpc {

  private WebhookServiceGrpc() {}

  public static final java.lang.String SERVICE_NAME = "webhook.v1.WebhookService";

  // Static method descriptors that strictly reflect the proto.
  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.DispatchRequest,
      dev.webhookd.v1.DispatchResponse> getDispatchMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Dispatch",
      requestType = dev.webhookd.v1.DispatchRequest.class,
      responseType = dev.webhookd.v1.DispatchResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.DispatchRequest,
      dev.webhookd.v1.DispatchResponse> getDispatchMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.DispatchRequest, dev.webhookd.v1.DispatchResponse> getDispatchMethod;
    if ((getDispatchMethod = WebhookServiceGrpc.getDispatchMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getDispatchMethod = WebhookServiceGrpc.getDispatchMethod) == null) {
          WebhookServiceGrpc.getDispatchMethod = getDispatchMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.DispatchRequest, dev.webhookd.v1.DispatchResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Dispatch"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DispatchRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DispatchResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("Dispatch"))
              .build();
        }
      }
    }
    return getDispatchMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ReplayRequest,
      dev.webhookd.v1.ReplayResponse> getReplayMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "Replay",
      requestType = dev.webhookd.v1.ReplayRequest.class,
      responseType = dev.webhookd.v1.ReplayResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ReplayRequest,
      dev.webhookd.v1.ReplayResponse> getReplayMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ReplayRequest, dev.webhookd.v1.ReplayResponse> getReplayMethod;
    if ((getReplayMethod = WebhookServiceGrpc.getReplayMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getReplayMethod = WebhookServiceGrpc.getReplayMethod) == null) {
          WebhookServiceGrpc.getReplayMethod = getReplayMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ReplayRequest, dev.webhookd.v1.ReplayResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "Replay"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ReplayRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ReplayResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("Replay"))
              .build();
        }
      }
    }
    return getReplayMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.StreamDeliveriesRequest,
      dev.webhookd.v1.DeliveryUpdate> getStreamDeliveriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "StreamDeliveries",
      requestType = dev.webhookd.v1.StreamDeliveriesRequest.class,
      responseType = dev.webhookd.v1.DeliveryUpdate.class,
      methodType = io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.StreamDeliveriesRequest,
      dev.webhookd.v1.DeliveryUpdate> getStreamDeliveriesMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.StreamDeliveriesRequest, dev.webhookd.v1.DeliveryUpdate> getStreamDeliveriesMethod;
    if ((getStreamDeliveriesMethod = WebhookServiceGrpc.getStreamDeliveriesMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getStreamDeliveriesMethod = WebhookServiceGrpc.getStreamDeliveriesMethod) == null) {
          WebhookServiceGrpc.getStreamDeliveriesMethod = getStreamDeliveriesMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.StreamDeliveriesRequest, dev.webhookd.v1.DeliveryUpdate>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.SERVER_STREAMING)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "StreamDeliveries"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.StreamDeliveriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DeliveryUpdate.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("StreamDeliveries"))
              .build();
        }
      }
    }
    return getStreamDeliveriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.GetMetricsRequest,
      dev.webhookd.v1.GetMetricsResponse> getGetMetricsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetMetrics",
      requestType = dev.webhookd.v1.GetMetricsRequest.class,
      responseType = dev.webhookd.v1.GetMetricsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.GetMetricsRequest,
      dev.webhookd.v1.GetMetricsResponse> getGetMetricsMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.GetMetricsRequest, dev.webhookd.v1.GetMetricsResponse> getGetMetricsMethod;
    if ((getGetMetricsMethod = WebhookServiceGrpc.getGetMetricsMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getGetMetricsMethod = WebhookServiceGrpc.getGetMetricsMethod) == null) {
          WebhookServiceGrpc.getGetMetricsMethod = getGetMetricsMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.GetMetricsRequest, dev.webhookd.v1.GetMetricsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetMetrics"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.GetMetricsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.GetMetricsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("GetMetrics"))
              .build();
        }
      }
    }
    return getGetMetricsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.GetEventRequest,
      dev.webhookd.v1.GetEventResponse> getGetEventMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetEvent",
      requestType = dev.webhookd.v1.GetEventRequest.class,
      responseType = dev.webhookd.v1.GetEventResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.GetEventRequest,
      dev.webhookd.v1.GetEventResponse> getGetEventMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.GetEventRequest, dev.webhookd.v1.GetEventResponse> getGetEventMethod;
    if ((getGetEventMethod = WebhookServiceGrpc.getGetEventMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getGetEventMethod = WebhookServiceGrpc.getGetEventMethod) == null) {
          WebhookServiceGrpc.getGetEventMethod = getGetEventMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.GetEventRequest, dev.webhookd.v1.GetEventResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetEvent"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.GetEventRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.GetEventResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("GetEvent"))
              .build();
        }
      }
    }
    return getGetEventMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventsRequest,
      dev.webhookd.v1.ListEventsResponse> getListEventsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListEvents",
      requestType = dev.webhookd.v1.ListEventsRequest.class,
      responseType = dev.webhookd.v1.ListEventsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventsRequest,
      dev.webhookd.v1.ListEventsResponse> getListEventsMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventsRequest, dev.webhookd.v1.ListEventsResponse> getListEventsMethod;
    if ((getListEventsMethod = WebhookServiceGrpc.getListEventsMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListEventsMethod = WebhookServiceGrpc.getListEventsMethod) == null) {
          WebhookServiceGrpc.getListEventsMethod = getListEventsMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListEventsRequest, dev.webhookd.v1.ListEventsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListEvents"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEventsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEventsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListEvents"))
              .build();
        }
      }
    }
    return getListEventsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeliveriesRequest,
      dev.webhookd.v1.ListDeliveriesResponse> getListDeliveriesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListDeliveries",
      requestType = dev.webhookd.v1.ListDeliveriesRequest.class,
      responseType = dev.webhookd.v1.ListDeliveriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeliveriesRequest,
      dev.webhookd.v1.ListDeliveriesResponse> getListDeliveriesMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeliveriesRequest, dev.webhookd.v1.ListDeliveriesResponse> getListDeliveriesMethod;
    if ((getListDeliveriesMethod = WebhookServiceGrpc.getListDeliveriesMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListDeliveriesMethod = WebhookServiceGrpc.getListDeliveriesMethod) == null) {
          WebhookServiceGrpc.getListDeliveriesMethod = getListDeliveriesMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListDeliveriesRequest, dev.webhookd.v1.ListDeliveriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListDeliveries"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListDeliveriesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListDeliveriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListDeliveries"))
              .build();
        }
      }
    }
    return getListDeliveriesMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeadLettersRequest,
      dev.webhookd.v1.ListDeliveriesResponse> getListDeadLettersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListDeadLetters",
      requestType = dev.webhookd.v1.ListDeadLettersRequest.class,
      responseType = dev.webhookd.v1.ListDeliveriesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeadLettersRequest,
      dev.webhookd.v1.ListDeliveriesResponse> getListDeadLettersMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListDeadLettersRequest, dev.webhookd.v1.ListDeliveriesResponse> getListDeadLettersMethod;
    if ((getListDeadLettersMethod = WebhookServiceGrpc.getListDeadLettersMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListDeadLettersMethod = WebhookServiceGrpc.getListDeadLettersMethod) == null) {
          WebhookServiceGrpc.getListDeadLettersMethod = getListDeadLettersMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListDeadLettersRequest, dev.webhookd.v1.ListDeliveriesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListDeadLetters"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListDeadLettersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListDeliveriesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListDeadLetters"))
              .build();
        }
      }
    }
    return getListDeadLettersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.RedriveDeadLettersRequest,
      dev.webhookd.v1.RedriveDeadLettersResponse> getRedriveDeadLettersMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RedriveDeadLetters",
      requestType = dev.webhookd.v1.RedriveDeadLettersRequest.class,
      responseType = dev.webhookd.v1.RedriveDeadLettersResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.RedriveDeadLettersRequest,
      dev.webhookd.v1.RedriveDeadLettersResponse> getRedriveDeadLettersMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.RedriveDeadLettersRequest, dev.webhookd.v1.RedriveDeadLettersResponse> getRedriveDeadLettersMethod;
    if ((getRedriveDeadLettersMethod = WebhookServiceGrpc.getRedriveDeadLettersMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getRedriveDeadLettersMethod = WebhookServiceGrpc.getRedriveDeadLettersMethod) == null) {
          WebhookServiceGrpc.getRedriveDeadLettersMethod = getRedriveDeadLettersMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.RedriveDeadLettersRequest, dev.webhookd.v1.RedriveDeadLettersResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RedriveDeadLetters"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.RedriveDeadLettersRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.RedriveDeadLettersResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("RedriveDeadLetters"))
              .build();
        }
      }
    }
    return getRedriveDeadLettersMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.CreateEndpointRequest,
      dev.webhookd.v1.Endpoint> getCreateEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateEndpoint",
      requestType = dev.webhookd.v1.CreateEndpointRequest.class,
      responseType = dev.webhookd.v1.Endpoint.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.CreateEndpointRequest,
      dev.webhookd.v1.Endpoint> getCreateEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.CreateEndpointRequest, dev.webhookd.v1.Endpoint> getCreateEndpointMethod;
    if ((getCreateEndpointMethod = WebhookServiceGrpc.getCreateEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getCreateEndpointMethod = WebhookServiceGrpc.getCreateEndpointMethod) == null) {
          WebhookServiceGrpc.getCreateEndpointMethod = getCreateEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.CreateEndpointRequest, dev.webhookd.v1.Endpoint>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.CreateEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.Endpoint.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("CreateEndpoint"))
              .build();
        }
      }
    }
    return getCreateEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.GetEndpointRequest,
      dev.webhookd.v1.Endpoint> getGetEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "GetEndpoint",
      requestType = dev.webhookd.v1.GetEndpointRequest.class,
      responseType = dev.webhookd.v1.Endpoint.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.GetEndpointRequest,
      dev.webhookd.v1.Endpoint> getGetEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.GetEndpointRequest, dev.webhookd.v1.Endpoint> getGetEndpointMethod;
    if ((getGetEndpointMethod = WebhookServiceGrpc.getGetEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getGetEndpointMethod = WebhookServiceGrpc.getGetEndpointMethod) == null) {
          WebhookServiceGrpc.getGetEndpointMethod = getGetEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.GetEndpointRequest, dev.webhookd.v1.Endpoint>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "GetEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.GetEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.Endpoint.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("GetEndpoint"))
              .build();
        }
      }
    }
    return getGetEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListEndpointsRequest,
      dev.webhookd.v1.ListEndpointsResponse> getListEndpointsMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListEndpoints",
      requestType = dev.webhookd.v1.ListEndpointsRequest.class,
      responseType = dev.webhookd.v1.ListEndpointsResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListEndpointsRequest,
      dev.webhookd.v1.ListEndpointsResponse> getListEndpointsMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListEndpointsRequest, dev.webhookd.v1.ListEndpointsResponse> getListEndpointsMethod;
    if ((getListEndpointsMethod = WebhookServiceGrpc.getListEndpointsMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListEndpointsMethod = WebhookServiceGrpc.getListEndpointsMethod) == null) {
          WebhookServiceGrpc.getListEndpointsMethod = getListEndpointsMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListEndpointsRequest, dev.webhookd.v1.ListEndpointsResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListEndpoints"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEndpointsRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEndpointsResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListEndpoints"))
              .build();
        }
      }
    }
    return getListEndpointsMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.UpdateEndpointRequest,
      dev.webhookd.v1.Endpoint> getUpdateEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "UpdateEndpoint",
      requestType = dev.webhookd.v1.UpdateEndpointRequest.class,
      responseType = dev.webhookd.v1.Endpoint.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.UpdateEndpointRequest,
      dev.webhookd.v1.Endpoint> getUpdateEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.UpdateEndpointRequest, dev.webhookd.v1.Endpoint> getUpdateEndpointMethod;
    if ((getUpdateEndpointMethod = WebhookServiceGrpc.getUpdateEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getUpdateEndpointMethod = WebhookServiceGrpc.getUpdateEndpointMethod) == null) {
          WebhookServiceGrpc.getUpdateEndpointMethod = getUpdateEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.UpdateEndpointRequest, dev.webhookd.v1.Endpoint>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "UpdateEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.UpdateEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.Endpoint.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("UpdateEndpoint"))
              .build();
        }
      }
    }
    return getUpdateEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.DeleteEndpointRequest,
      dev.webhookd.v1.DeleteEndpointResponse> getDeleteEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DeleteEndpoint",
      requestType = dev.webhookd.v1.DeleteEndpointRequest.class,
      responseType = dev.webhookd.v1.DeleteEndpointResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.DeleteEndpointRequest,
      dev.webhookd.v1.DeleteEndpointResponse> getDeleteEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.DeleteEndpointRequest, dev.webhookd.v1.DeleteEndpointResponse> getDeleteEndpointMethod;
    if ((getDeleteEndpointMethod = WebhookServiceGrpc.getDeleteEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getDeleteEndpointMethod = WebhookServiceGrpc.getDeleteEndpointMethod) == null) {
          WebhookServiceGrpc.getDeleteEndpointMethod = getDeleteEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.DeleteEndpointRequest, dev.webhookd.v1.DeleteEndpointResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DeleteEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DeleteEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DeleteEndpointResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("DeleteEndpoint"))
              .build();
        }
      }
    }
    return getDeleteEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.EnableEndpointRequest,
      dev.webhookd.v1.Endpoint> getEnableEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "EnableEndpoint",
      requestType = dev.webhookd.v1.EnableEndpointRequest.class,
      responseType = dev.webhookd.v1.Endpoint.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.EnableEndpointRequest,
      dev.webhookd.v1.Endpoint> getEnableEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.EnableEndpointRequest, dev.webhookd.v1.Endpoint> getEnableEndpointMethod;
    if ((getEnableEndpointMethod = WebhookServiceGrpc.getEnableEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getEnableEndpointMethod = WebhookServiceGrpc.getEnableEndpointMethod) == null) {
          WebhookServiceGrpc.getEnableEndpointMethod = getEnableEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.EnableEndpointRequest, dev.webhookd.v1.Endpoint>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "EnableEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.EnableEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.Endpoint.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("EnableEndpoint"))
              .build();
        }
      }
    }
    return getEnableEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.DisableEndpointRequest,
      dev.webhookd.v1.Endpoint> getDisableEndpointMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "DisableEndpoint",
      requestType = dev.webhookd.v1.DisableEndpointRequest.class,
      responseType = dev.webhookd.v1.Endpoint.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.DisableEndpointRequest,
      dev.webhookd.v1.Endpoint> getDisableEndpointMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.DisableEndpointRequest, dev.webhookd.v1.Endpoint> getDisableEndpointMethod;
    if ((getDisableEndpointMethod = WebhookServiceGrpc.getDisableEndpointMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getDisableEndpointMethod = WebhookServiceGrpc.getDisableEndpointMethod) == null) {
          WebhookServiceGrpc.getDisableEndpointMethod = getDisableEndpointMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.DisableEndpointRequest, dev.webhookd.v1.Endpoint>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "DisableEndpoint"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.DisableEndpointRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.Endpoint.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("DisableEndpoint"))
              .build();
        }
      }
    }
    return getDisableEndpointMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.RotateEndpointSecretRequest,
      dev.webhookd.v1.RotateEndpointSecretResponse> getRotateEndpointSecretMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RotateEndpointSecret",
      requestType = dev.webhookd.v1.RotateEndpointSecretRequest.class,
      responseType = dev.webhookd.v1.RotateEndpointSecretResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.RotateEndpointSecretRequest,
      dev.webhookd.v1.RotateEndpointSecretResponse> getRotateEndpointSecretMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.RotateEndpointSecretRequest, dev.webhookd.v1.RotateEndpointSecretResponse> getRotateEndpointSecretMethod;
    if ((getRotateEndpointSecretMethod = WebhookServiceGrpc.getRotateEndpointSecretMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getRotateEndpointSecretMethod = WebhookServiceGrpc.getRotateEndpointSecretMethod) == null) {
          WebhookServiceGrpc.getRotateEndpointSecretMethod = getRotateEndpointSecretMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.RotateEndpointSecretRequest, dev.webhookd.v1.RotateEndpointSecretResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RotateEndpointSecret"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.RotateEndpointSecretRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.RotateEndpointSecretResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("RotateEndpointSecret"))
              .build();
        }
      }
    }
    return getRotateEndpointSecretMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.CreateApiKeyRequest,
      dev.webhookd.v1.CreateApiKeyResponse> getCreateApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "CreateApiKey",
      requestType = dev.webhookd.v1.CreateApiKeyRequest.class,
      responseType = dev.webhookd.v1.CreateApiKeyResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.CreateApiKeyRequest,
      dev.webhookd.v1.CreateApiKeyResponse> getCreateApiKeyMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.CreateApiKeyRequest, dev.webhookd.v1.CreateApiKeyResponse> getCreateApiKeyMethod;
    if ((getCreateApiKeyMethod = WebhookServiceGrpc.getCreateApiKeyMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getCreateApiKeyMethod = WebhookServiceGrpc.getCreateApiKeyMethod) == null) {
          WebhookServiceGrpc.getCreateApiKeyMethod = getCreateApiKeyMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.CreateApiKeyRequest, dev.webhookd.v1.CreateApiKeyResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "CreateApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.CreateApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.CreateApiKeyResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("CreateApiKey"))
              .build();
        }
      }
    }
    return getCreateApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListApiKeysRequest,
      dev.webhookd.v1.ListApiKeysResponse> getListApiKeysMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListApiKeys",
      requestType = dev.webhookd.v1.ListApiKeysRequest.class,
      responseType = dev.webhookd.v1.ListApiKeysResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListApiKeysRequest,
      dev.webhookd.v1.ListApiKeysResponse> getListApiKeysMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListApiKeysRequest, dev.webhookd.v1.ListApiKeysResponse> getListApiKeysMethod;
    if ((getListApiKeysMethod = WebhookServiceGrpc.getListApiKeysMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListApiKeysMethod = WebhookServiceGrpc.getListApiKeysMethod) == null) {
          WebhookServiceGrpc.getListApiKeysMethod = getListApiKeysMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListApiKeysRequest, dev.webhookd.v1.ListApiKeysResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListApiKeys"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListApiKeysRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListApiKeysResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListApiKeys"))
              .build();
        }
      }
    }
    return getListApiKeysMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.RevokeApiKeyRequest,
      dev.webhookd.v1.ApiKey> getRevokeApiKeyMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "RevokeApiKey",
      requestType = dev.webhookd.v1.RevokeApiKeyRequest.class,
      responseType = dev.webhookd.v1.ApiKey.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.RevokeApiKeyRequest,
      dev.webhookd.v1.ApiKey> getRevokeApiKeyMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.RevokeApiKeyRequest, dev.webhookd.v1.ApiKey> getRevokeApiKeyMethod;
    if ((getRevokeApiKeyMethod = WebhookServiceGrpc.getRevokeApiKeyMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getRevokeApiKeyMethod = WebhookServiceGrpc.getRevokeApiKeyMethod) == null) {
          WebhookServiceGrpc.getRevokeApiKeyMethod = getRevokeApiKeyMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.RevokeApiKeyRequest, dev.webhookd.v1.ApiKey>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "RevokeApiKey"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.RevokeApiKeyRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ApiKey.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("RevokeApiKey"))
              .build();
        }
      }
    }
    return getRevokeApiKeyMethod;
  }

  private static volatile io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventTypesRequest,
      dev.webhookd.v1.ListEventTypesResponse> getListEventTypesMethod;

  @io.grpc.stub.annotations.RpcMethod(
      fullMethodName = SERVICE_NAME + '/' + "ListEventTypes",
      requestType = dev.webhookd.v1.ListEventTypesRequest.class,
      responseType = dev.webhookd.v1.ListEventTypesResponse.class,
      methodType = io.grpc.MethodDescriptor.MethodType.UNARY)
  public static io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventTypesRequest,
      dev.webhookd.v1.ListEventTypesResponse> getListEventTypesMethod() {
    io.grpc.MethodDescriptor<dev.webhookd.v1.ListEventTypesRequest, dev.webhookd.v1.ListEventTypesResponse> getListEventTypesMethod;
    if ((getListEventTypesMethod = WebhookServiceGrpc.getListEventTypesMethod) == null) {
      synchronized (WebhookServiceGrpc.class) {
        if ((getListEventTypesMethod = WebhookServiceGrpc.getListEventTypesMethod) == null) {
          WebhookServiceGrpc.getListEventTypesMethod = getListEventTypesMethod =
              io.grpc.MethodDescriptor.<dev.webhookd.v1.ListEventTypesRequest, dev.webhookd.v1.ListEventTypesResponse>newBuilder()
              .setType(io.grpc.MethodDescriptor.MethodType.UNARY)
              .setFullMethodName(generateFullMethodName(SERVICE_NAME, "ListEventTypes"))
              .setSampledToLocalTracing(true)
              .setRequestMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEventTypesRequest.getDefaultInstance()))
              .setResponseMarshaller(io.grpc.protobuf.ProtoUtils.marshaller(
                  dev.webhookd.v1.ListEventTypesResponse.getDefaultInstance()))
              .setSchemaDescriptor(new WebhookServiceMethodDescriptorSupplier("ListEventTypes"))
              .build();
        }
      }
    }
    return getListEventTypesMethod;
  }

  /**
   * Creates a new async stub that supports all call types for the service
   */
  public static WebhookServiceStub newStub(io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<WebhookServiceStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<WebhookServiceStub>() {
        @java.lang.Override
        public WebhookServiceStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new WebhookServiceStub(channel, callOptions);
        }
      };
    return WebhookServiceStub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports all types of calls on the service
   */
  public static WebhookServiceBlockingV2Stub newBlockingV2Stub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<WebhookServiceBlockingV2Stub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<WebhookServiceBlockingV2Stub>() {
        @java.lang.Override
        public WebhookServiceBlockingV2Stub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new WebhookServiceBlockingV2Stub(channel, callOptions);
        }
      };
    return WebhookServiceBlockingV2Stub.newStub(factory, channel);
  }

  /**
   * Creates a new blocking-style stub that supports unary and streaming output calls on the service
   */
  public static WebhookServiceBlockingStub newBlockingStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<WebhookServiceBlockingStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<WebhookServiceBlockingStub>() {
        @java.lang.Override
        public WebhookServiceBlockingStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new WebhookServiceBlockingStub(channel, callOptions);
        }
      };
    return WebhookServiceBlockingStub.newStub(factory, channel);
  }

  /**
   * Creates a new ListenableFuture-style stub that supports unary calls on the service
   */
  public static WebhookServiceFutureStub newFutureStub(
      io.grpc.Channel channel) {
    io.grpc.stub.AbstractStub.StubFactory<WebhookServiceFutureStub> factory =
      new io.grpc.stub.AbstractStub.StubFactory<WebhookServiceFutureStub>() {
        @java.lang.Override
        public WebhookServiceFutureStub newStub(io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
          return new WebhookServiceFutureStub(channel, callOptions);
        }
      };
    return WebhookServiceFutureStub.newStub(factory, channel);
  }

  /**
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public interface AsyncService {

    /**
     * <pre>
     * Dispatch stores an event and schedules one delivery per endpoint that
     * subscribes to its type. It returns only after the event and its
     * deliveries are committed to the store.
     * Errors: INVALID_ARGUMENT for a malformed event type or payload,
     * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
     * endpoint that is not active, UNAVAILABLE when the store cannot commit.
     * W3C trace context sent as gRPC metadata (traceparent, tracestate)
     * travels with the event into every delivery request.
     * </pre>
     */
    default void dispatch(dev.webhookd.v1.DispatchRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DispatchResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDispatchMethod(), responseObserver);
    }

    /**
     * <pre>
     * Replay sends stored events again as new deliveries, linked to the event
     * (and to the delivery they repeat), signed afresh, with the same event id
     * in X-Webhook-Id. Either one event (event_id), or every delivery that
     * matches a filter.
     * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
     * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
     * </pre>
     */
    default void replay(dev.webhookd.v1.ReplayRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ReplayResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getReplayMethod(), responseObserver);
    }

    /**
     * <pre>
     * StreamDeliveries streams delivery and endpoint state changes as they
     * happen, optionally starting with recent history.
     * </pre>
     */
    default void streamDeliveries(dev.webhookd.v1.StreamDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DeliveryUpdate> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getStreamDeliveriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetMetrics returns delivery statistics over a time window.
     * </pre>
     */
    default void getMetrics(dev.webhookd.v1.GetMetricsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.GetMetricsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetMetricsMethod(), responseObserver);
    }

    /**
     * <pre>
     * GetEvent returns an event exactly as it was signed, with every delivery
     * and every attempt.
     * </pre>
     */
    default void getEvent(dev.webhookd.v1.GetEventRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.GetEventResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetEventMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListEvents pages through the event log, oldest first.
     * </pre>
     */
    default void listEvents(dev.webhookd.v1.ListEventsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListEventsMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListDeliveries pages through deliveries, oldest first.
     * </pre>
     */
    default void listDeliveries(dev.webhookd.v1.ListDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListDeliveriesMethod(), responseObserver);
    }

    /**
     * <pre>
     * ListDeadLetters pages through dead-lettered deliveries, oldest first.
     * </pre>
     */
    default void listDeadLetters(dev.webhookd.v1.ListDeadLettersRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListDeadLettersMethod(), responseObserver);
    }

    /**
     * <pre>
     * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
     * </pre>
     */
    default void redriveDeadLetters(dev.webhookd.v1.RedriveDeadLettersRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.RedriveDeadLettersResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRedriveDeadLettersMethod(), responseObserver);
    }

    /**
     * <pre>
     * Endpoint management. Endpoints created here survive restarts; an
     * endpoint of the config file with the same id is overwritten by the file
     * at the next start.
     * </pre>
     */
    default void createEndpoint(dev.webhookd.v1.CreateEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateEndpointMethod(), responseObserver);
    }

    /**
     */
    default void getEndpoint(dev.webhookd.v1.GetEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getGetEndpointMethod(), responseObserver);
    }

    /**
     */
    default void listEndpoints(dev.webhookd.v1.ListEndpointsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEndpointsResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListEndpointsMethod(), responseObserver);
    }

    /**
     */
    default void updateEndpoint(dev.webhookd.v1.UpdateEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getUpdateEndpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
     * state CANCELLED; its history stays in the log.
     * </pre>
     */
    default void deleteEndpoint(dev.webhookd.v1.DeleteEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DeleteEndpointResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDeleteEndpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * EnableEndpoint re-enables an endpoint, resets its failure count and
     * resumes its paused deliveries.
     * </pre>
     */
    default void enableEndpoint(dev.webhookd.v1.EnableEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getEnableEndpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * DisableEndpoint pauses an endpoint: no attempts, new events are stored
     * but not sent until it is enabled again.
     * </pre>
     */
    default void disableEndpoint(dev.webhookd.v1.DisableEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getDisableEndpointMethod(), responseObserver);
    }

    /**
     * <pre>
     * RotateEndpointSecret makes a new signing secret. The previous secret
     * stays valid for the grace period: meanwhile every request carries both
     * signatures.
     * </pre>
     */
    default void rotateEndpointSecret(dev.webhookd.v1.RotateEndpointSecretRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.RotateEndpointSecretResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRotateEndpointSecretMethod(), responseObserver);
    }

    /**
     * <pre>
     * API keys managed over the API (admin role), beside those of the config
     * file. A key is shown once, in the CreateApiKey response; webhookd keeps
     * only its SHA-256. Revoked keys stop working on every instance within a
     * few seconds.
     * </pre>
     */
    default void createApiKey(dev.webhookd.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getCreateApiKeyMethod(), responseObserver);
    }

    /**
     */
    default void listApiKeys(dev.webhookd.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListApiKeysMethod(), responseObserver);
    }

    /**
     */
    default void revokeApiKey(dev.webhookd.v1.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ApiKey> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getRevokeApiKeyMethod(), responseObserver);
    }

    /**
     * <pre>
     * The event-type catalog (event_catalog in the config file): the event
     * types producers may send, each with a description and optionally the
     * JSON Schema that Dispatch checks its payloads against. Open to every
     * API key role.
     * </pre>
     */
    default void listEventTypes(dev.webhookd.v1.ListEventTypesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventTypesResponse> responseObserver) {
      io.grpc.stub.ServerCalls.asyncUnimplementedUnaryCall(getListEventTypesMethod(), responseObserver);
    }
  }

  /**
   * Base class for the server implementation of the service WebhookService.
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public static abstract class WebhookServiceImplBase
      implements io.grpc.BindableService, AsyncService {

    @java.lang.Override public final io.grpc.ServerServiceDefinition bindService() {
      return WebhookServiceGrpc.bindService(this);
    }
  }

  /**
   * A stub to allow clients to do asynchronous rpc calls to service WebhookService.
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public static final class WebhookServiceStub
      extends io.grpc.stub.AbstractAsyncStub<WebhookServiceStub> {
    private WebhookServiceStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected WebhookServiceStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new WebhookServiceStub(channel, callOptions);
    }

    /**
     * <pre>
     * Dispatch stores an event and schedules one delivery per endpoint that
     * subscribes to its type. It returns only after the event and its
     * deliveries are committed to the store.
     * Errors: INVALID_ARGUMENT for a malformed event type or payload,
     * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
     * endpoint that is not active, UNAVAILABLE when the store cannot commit.
     * W3C trace context sent as gRPC metadata (traceparent, tracestate)
     * travels with the event into every delivery request.
     * </pre>
     */
    public void dispatch(dev.webhookd.v1.DispatchRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DispatchResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDispatchMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Replay sends stored events again as new deliveries, linked to the event
     * (and to the delivery they repeat), signed afresh, with the same event id
     * in X-Webhook-Id. Either one event (event_id), or every delivery that
     * matches a filter.
     * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
     * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
     * </pre>
     */
    public void replay(dev.webhookd.v1.ReplayRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ReplayResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getReplayMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * StreamDeliveries streams delivery and endpoint state changes as they
     * happen, optionally starting with recent history.
     * </pre>
     */
    public void streamDeliveries(dev.webhookd.v1.StreamDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DeliveryUpdate> responseObserver) {
      io.grpc.stub.ClientCalls.asyncServerStreamingCall(
          getChannel().newCall(getStreamDeliveriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetMetrics returns delivery statistics over a time window.
     * </pre>
     */
    public void getMetrics(dev.webhookd.v1.GetMetricsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.GetMetricsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetMetricsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * GetEvent returns an event exactly as it was signed, with every delivery
     * and every attempt.
     * </pre>
     */
    public void getEvent(dev.webhookd.v1.GetEventRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.GetEventResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetEventMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListEvents pages through the event log, oldest first.
     * </pre>
     */
    public void listEvents(dev.webhookd.v1.ListEventsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListEventsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListDeliveries pages through deliveries, oldest first.
     * </pre>
     */
    public void listDeliveries(dev.webhookd.v1.ListDeliveriesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListDeliveriesMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * ListDeadLetters pages through dead-lettered deliveries, oldest first.
     * </pre>
     */
    public void listDeadLetters(dev.webhookd.v1.ListDeadLettersRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListDeadLettersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
     * </pre>
     */
    public void redriveDeadLetters(dev.webhookd.v1.RedriveDeadLettersRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.RedriveDeadLettersResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRedriveDeadLettersMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * Endpoint management. Endpoints created here survive restarts; an
     * endpoint of the config file with the same id is overwritten by the file
     * at the next start.
     * </pre>
     */
    public void createEndpoint(dev.webhookd.v1.CreateEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void getEndpoint(dev.webhookd.v1.GetEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getGetEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listEndpoints(dev.webhookd.v1.ListEndpointsRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEndpointsResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListEndpointsMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void updateEndpoint(dev.webhookd.v1.UpdateEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getUpdateEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
     * state CANCELLED; its history stays in the log.
     * </pre>
     */
    public void deleteEndpoint(dev.webhookd.v1.DeleteEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.DeleteEndpointResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDeleteEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * EnableEndpoint re-enables an endpoint, resets its failure count and
     * resumes its paused deliveries.
     * </pre>
     */
    public void enableEndpoint(dev.webhookd.v1.EnableEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getEnableEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * DisableEndpoint pauses an endpoint: no attempts, new events are stored
     * but not sent until it is enabled again.
     * </pre>
     */
    public void disableEndpoint(dev.webhookd.v1.DisableEndpointRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getDisableEndpointMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * RotateEndpointSecret makes a new signing secret. The previous secret
     * stays valid for the grace period: meanwhile every request carries both
     * signatures.
     * </pre>
     */
    public void rotateEndpointSecret(dev.webhookd.v1.RotateEndpointSecretRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.RotateEndpointSecretResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRotateEndpointSecretMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * API keys managed over the API (admin role), beside those of the config
     * file. A key is shown once, in the CreateApiKey response; webhookd keeps
     * only its SHA-256. Revoked keys stop working on every instance within a
     * few seconds.
     * </pre>
     */
    public void createApiKey(dev.webhookd.v1.CreateApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.CreateApiKeyResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void listApiKeys(dev.webhookd.v1.ListApiKeysRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListApiKeysResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     */
    public void revokeApiKey(dev.webhookd.v1.RevokeApiKeyRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ApiKey> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request, responseObserver);
    }

    /**
     * <pre>
     * The event-type catalog (event_catalog in the config file): the event
     * types producers may send, each with a description and optionally the
     * JSON Schema that Dispatch checks its payloads against. Open to every
     * API key role.
     * </pre>
     */
    public void listEventTypes(dev.webhookd.v1.ListEventTypesRequest request,
        io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventTypesResponse> responseObserver) {
      io.grpc.stub.ClientCalls.asyncUnaryCall(
          getChannel().newCall(getListEventTypesMethod(), getCallOptions()), request, responseObserver);
    }
  }

  /**
   * A stub to allow clients to do synchronous rpc calls to service WebhookService.
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public static final class WebhookServiceBlockingV2Stub
      extends io.grpc.stub.AbstractBlockingStub<WebhookServiceBlockingV2Stub> {
    private WebhookServiceBlockingV2Stub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected WebhookServiceBlockingV2Stub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new WebhookServiceBlockingV2Stub(channel, callOptions);
    }

    /**
     * <pre>
     * Dispatch stores an event and schedules one delivery per endpoint that
     * subscribes to its type. It returns only after the event and its
     * deliveries are committed to the store.
     * Errors: INVALID_ARGUMENT for a malformed event type or payload,
     * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
     * endpoint that is not active, UNAVAILABLE when the store cannot commit.
     * W3C trace context sent as gRPC metadata (traceparent, tracestate)
     * travels with the event into every delivery request.
     * </pre>
     */
    public dev.webhookd.v1.DispatchResponse dispatch(dev.webhookd.v1.DispatchRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDispatchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Replay sends stored events again as new deliveries, linked to the event
     * (and to the delivery they repeat), signed afresh, with the same event id
     * in X-Webhook-Id. Either one event (event_id), or every delivery that
     * matches a filter.
     * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
     * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
     * </pre>
     */
    public dev.webhookd.v1.ReplayResponse replay(dev.webhookd.v1.ReplayRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getReplayMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * StreamDeliveries streams delivery and endpoint state changes as they
     * happen, optionally starting with recent history.
     * </pre>
     */
    @io.grpc.ExperimentalApi("https://github.com/grpc/grpc-java/issues/10918")
    public io.grpc.stub.BlockingClientCall<?, dev.webhookd.v1.DeliveryUpdate>
        streamDeliveries(dev.webhookd.v1.StreamDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingV2ServerStreamingCall(
          getChannel(), getStreamDeliveriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetMetrics returns delivery statistics over a time window.
     * </pre>
     */
    public dev.webhookd.v1.GetMetricsResponse getMetrics(dev.webhookd.v1.GetMetricsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetMetricsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetEvent returns an event exactly as it was signed, with every delivery
     * and every attempt.
     * </pre>
     */
    public dev.webhookd.v1.GetEventResponse getEvent(dev.webhookd.v1.GetEventRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetEventMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListEvents pages through the event log, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListEventsResponse listEvents(dev.webhookd.v1.ListEventsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListDeliveries pages through deliveries, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListDeliveriesResponse listDeliveries(dev.webhookd.v1.ListDeliveriesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListDeliveriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListDeadLetters pages through dead-lettered deliveries, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListDeliveriesResponse listDeadLetters(dev.webhookd.v1.ListDeadLettersRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListDeadLettersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
     * </pre>
     */
    public dev.webhookd.v1.RedriveDeadLettersResponse redriveDeadLetters(dev.webhookd.v1.RedriveDeadLettersRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRedriveDeadLettersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Endpoint management. Endpoints created here survive restarts; an
     * endpoint of the config file with the same id is overwritten by the file
     * at the next start.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint createEndpoint(dev.webhookd.v1.CreateEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateEndpointMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.Endpoint getEndpoint(dev.webhookd.v1.GetEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getGetEndpointMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ListEndpointsResponse listEndpoints(dev.webhookd.v1.ListEndpointsRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListEndpointsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.Endpoint updateEndpoint(dev.webhookd.v1.UpdateEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getUpdateEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
     * state CANCELLED; its history stays in the log.
     * </pre>
     */
    public dev.webhookd.v1.DeleteEndpointResponse deleteEndpoint(dev.webhookd.v1.DeleteEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDeleteEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableEndpoint re-enables an endpoint, resets its failure count and
     * resumes its paused deliveries.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint enableEndpoint(dev.webhookd.v1.EnableEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getEnableEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableEndpoint pauses an endpoint: no attempts, new events are stored
     * but not sent until it is enabled again.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint disableEndpoint(dev.webhookd.v1.DisableEndpointRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getDisableEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RotateEndpointSecret makes a new signing secret. The previous secret
     * stays valid for the grace period: meanwhile every request carries both
     * signatures.
     * </pre>
     */
    public dev.webhookd.v1.RotateEndpointSecretResponse rotateEndpointSecret(dev.webhookd.v1.RotateEndpointSecretRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRotateEndpointSecretMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * API keys managed over the API (admin role), beside those of the config
     * file. A key is shown once, in the CreateApiKey response; webhookd keeps
     * only its SHA-256. Revoked keys stop working on every instance within a
     * few seconds.
     * </pre>
     */
    public dev.webhookd.v1.CreateApiKeyResponse createApiKey(dev.webhookd.v1.CreateApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ListApiKeysResponse listApiKeys(dev.webhookd.v1.ListApiKeysRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ApiKey revokeApiKey(dev.webhookd.v1.RevokeApiKeyRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The event-type catalog (event_catalog in the config file): the event
     * types producers may send, each with a description and optionally the
     * JSON Schema that Dispatch checks its payloads against. Open to every
     * API key role.
     * </pre>
     */
    public dev.webhookd.v1.ListEventTypesResponse listEventTypes(dev.webhookd.v1.ListEventTypesRequest request) throws io.grpc.StatusException {
      return io.grpc.stub.ClientCalls.blockingV2UnaryCall(
          getChannel(), getListEventTypesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do limited synchronous rpc calls to service WebhookService.
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public static final class WebhookServiceBlockingStub
      extends io.grpc.stub.AbstractBlockingStub<WebhookServiceBlockingStub> {
    private WebhookServiceBlockingStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected WebhookServiceBlockingStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new WebhookServiceBlockingStub(channel, callOptions);
    }

    /**
     * <pre>
     * Dispatch stores an event and schedules one delivery per endpoint that
     * subscribes to its type. It returns only after the event and its
     * deliveries are committed to the store.
     * Errors: INVALID_ARGUMENT for a malformed event type or payload,
     * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
     * endpoint that is not active, UNAVAILABLE when the store cannot commit.
     * W3C trace context sent as gRPC metadata (traceparent, tracestate)
     * travels with the event into every delivery request.
     * </pre>
     */
    public dev.webhookd.v1.DispatchResponse dispatch(dev.webhookd.v1.DispatchRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDispatchMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Replay sends stored events again as new deliveries, linked to the event
     * (and to the delivery they repeat), signed afresh, with the same event id
     * in X-Webhook-Id. Either one event (event_id), or every delivery that
     * matches a filter.
     * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
     * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
     * </pre>
     */
    public dev.webhookd.v1.ReplayResponse replay(dev.webhookd.v1.ReplayRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getReplayMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * StreamDeliveries streams delivery and endpoint state changes as they
     * happen, optionally starting with recent history.
     * </pre>
     */
    public java.util.Iterator<dev.webhookd.v1.DeliveryUpdate> streamDeliveries(
        dev.webhookd.v1.StreamDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingServerStreamingCall(
          getChannel(), getStreamDeliveriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetMetrics returns delivery statistics over a time window.
     * </pre>
     */
    public dev.webhookd.v1.GetMetricsResponse getMetrics(dev.webhookd.v1.GetMetricsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetMetricsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * GetEvent returns an event exactly as it was signed, with every delivery
     * and every attempt.
     * </pre>
     */
    public dev.webhookd.v1.GetEventResponse getEvent(dev.webhookd.v1.GetEventRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetEventMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListEvents pages through the event log, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListEventsResponse listEvents(dev.webhookd.v1.ListEventsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListEventsMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListDeliveries pages through deliveries, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListDeliveriesResponse listDeliveries(dev.webhookd.v1.ListDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListDeliveriesMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * ListDeadLetters pages through dead-lettered deliveries, oldest first.
     * </pre>
     */
    public dev.webhookd.v1.ListDeliveriesResponse listDeadLetters(dev.webhookd.v1.ListDeadLettersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListDeadLettersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
     * </pre>
     */
    public dev.webhookd.v1.RedriveDeadLettersResponse redriveDeadLetters(dev.webhookd.v1.RedriveDeadLettersRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRedriveDeadLettersMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * Endpoint management. Endpoints created here survive restarts; an
     * endpoint of the config file with the same id is overwritten by the file
     * at the next start.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint createEndpoint(dev.webhookd.v1.CreateEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateEndpointMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.Endpoint getEndpoint(dev.webhookd.v1.GetEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getGetEndpointMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ListEndpointsResponse listEndpoints(dev.webhookd.v1.ListEndpointsRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListEndpointsMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.Endpoint updateEndpoint(dev.webhookd.v1.UpdateEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getUpdateEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
     * state CANCELLED; its history stays in the log.
     * </pre>
     */
    public dev.webhookd.v1.DeleteEndpointResponse deleteEndpoint(dev.webhookd.v1.DeleteEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDeleteEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * EnableEndpoint re-enables an endpoint, resets its failure count and
     * resumes its paused deliveries.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint enableEndpoint(dev.webhookd.v1.EnableEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getEnableEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * DisableEndpoint pauses an endpoint: no attempts, new events are stored
     * but not sent until it is enabled again.
     * </pre>
     */
    public dev.webhookd.v1.Endpoint disableEndpoint(dev.webhookd.v1.DisableEndpointRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getDisableEndpointMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * RotateEndpointSecret makes a new signing secret. The previous secret
     * stays valid for the grace period: meanwhile every request carries both
     * signatures.
     * </pre>
     */
    public dev.webhookd.v1.RotateEndpointSecretResponse rotateEndpointSecret(dev.webhookd.v1.RotateEndpointSecretRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRotateEndpointSecretMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * API keys managed over the API (admin role), beside those of the config
     * file. A key is shown once, in the CreateApiKey response; webhookd keeps
     * only its SHA-256. Revoked keys stop working on every instance within a
     * few seconds.
     * </pre>
     */
    public dev.webhookd.v1.CreateApiKeyResponse createApiKey(dev.webhookd.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getCreateApiKeyMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ListApiKeysResponse listApiKeys(dev.webhookd.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListApiKeysMethod(), getCallOptions(), request);
    }

    /**
     */
    public dev.webhookd.v1.ApiKey revokeApiKey(dev.webhookd.v1.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getRevokeApiKeyMethod(), getCallOptions(), request);
    }

    /**
     * <pre>
     * The event-type catalog (event_catalog in the config file): the event
     * types producers may send, each with a description and optionally the
     * JSON Schema that Dispatch checks its payloads against. Open to every
     * API key role.
     * </pre>
     */
    public dev.webhookd.v1.ListEventTypesResponse listEventTypes(dev.webhookd.v1.ListEventTypesRequest request) {
      return io.grpc.stub.ClientCalls.blockingUnaryCall(
          getChannel(), getListEventTypesMethod(), getCallOptions(), request);
    }
  }

  /**
   * A stub to allow clients to do ListenableFuture-style rpc calls to service WebhookService.
   * <pre>
   * WebhookService is the API that producers and operators use.
   * </pre>
   */
  public static final class WebhookServiceFutureStub
      extends io.grpc.stub.AbstractFutureStub<WebhookServiceFutureStub> {
    private WebhookServiceFutureStub(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      super(channel, callOptions);
    }

    @java.lang.Override
    protected WebhookServiceFutureStub build(
        io.grpc.Channel channel, io.grpc.CallOptions callOptions) {
      return new WebhookServiceFutureStub(channel, callOptions);
    }

    /**
     * <pre>
     * Dispatch stores an event and schedules one delivery per endpoint that
     * subscribes to its type. It returns only after the event and its
     * deliveries are committed to the store.
     * Errors: INVALID_ARGUMENT for a malformed event type or payload,
     * NOT_FOUND for an unknown endpoint id, FAILED_PRECONDITION for a targeted
     * endpoint that is not active, UNAVAILABLE when the store cannot commit.
     * W3C trace context sent as gRPC metadata (traceparent, tracestate)
     * travels with the event into every delivery request.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.DispatchResponse> dispatch(
        dev.webhookd.v1.DispatchRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDispatchMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Replay sends stored events again as new deliveries, linked to the event
     * (and to the delivery they repeat), signed afresh, with the same event id
     * in X-Webhook-Id. Either one event (event_id), or every delivery that
     * matches a filter.
     * Errors: NOT_FOUND for an unknown event or endpoint, FAILED_PRECONDITION
     * for a disabled endpoint, INVALID_ARGUMENT for a bad filter.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ReplayResponse> replay(
        dev.webhookd.v1.ReplayRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getReplayMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetMetrics returns delivery statistics over a time window.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.GetMetricsResponse> getMetrics(
        dev.webhookd.v1.GetMetricsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetMetricsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * GetEvent returns an event exactly as it was signed, with every delivery
     * and every attempt.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.GetEventResponse> getEvent(
        dev.webhookd.v1.GetEventRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetEventMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListEvents pages through the event log, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListEventsResponse> listEvents(
        dev.webhookd.v1.ListEventsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListEventsMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListDeliveries pages through deliveries, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListDeliveriesResponse> listDeliveries(
        dev.webhookd.v1.ListDeliveriesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListDeliveriesMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * ListDeadLetters pages through dead-lettered deliveries, oldest first.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListDeliveriesResponse> listDeadLetters(
        dev.webhookd.v1.ListDeadLettersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListDeadLettersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RedriveDeadLetters gives dead-lettered deliveries a fresh retry cycle.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.RedriveDeadLettersResponse> redriveDeadLetters(
        dev.webhookd.v1.RedriveDeadLettersRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRedriveDeadLettersMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * Endpoint management. Endpoints created here survive restarts; an
     * endpoint of the config file with the same id is overwritten by the file
     * at the next start.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.Endpoint> createEndpoint(
        dev.webhookd.v1.CreateEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateEndpointMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.Endpoint> getEndpoint(
        dev.webhookd.v1.GetEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getGetEndpointMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListEndpointsResponse> listEndpoints(
        dev.webhookd.v1.ListEndpointsRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListEndpointsMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.Endpoint> updateEndpoint(
        dev.webhookd.v1.UpdateEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getUpdateEndpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DeleteEndpoint removes an endpoint. Its pending deliveries end in the
     * state CANCELLED; its history stays in the log.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.DeleteEndpointResponse> deleteEndpoint(
        dev.webhookd.v1.DeleteEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDeleteEndpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * EnableEndpoint re-enables an endpoint, resets its failure count and
     * resumes its paused deliveries.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.Endpoint> enableEndpoint(
        dev.webhookd.v1.EnableEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getEnableEndpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * DisableEndpoint pauses an endpoint: no attempts, new events are stored
     * but not sent until it is enabled again.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.Endpoint> disableEndpoint(
        dev.webhookd.v1.DisableEndpointRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getDisableEndpointMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * RotateEndpointSecret makes a new signing secret. The previous secret
     * stays valid for the grace period: meanwhile every request carries both
     * signatures.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.RotateEndpointSecretResponse> rotateEndpointSecret(
        dev.webhookd.v1.RotateEndpointSecretRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRotateEndpointSecretMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * API keys managed over the API (admin role), beside those of the config
     * file. A key is shown once, in the CreateApiKey response; webhookd keeps
     * only its SHA-256. Revoked keys stop working on every instance within a
     * few seconds.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.CreateApiKeyResponse> createApiKey(
        dev.webhookd.v1.CreateApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getCreateApiKeyMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListApiKeysResponse> listApiKeys(
        dev.webhookd.v1.ListApiKeysRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListApiKeysMethod(), getCallOptions()), request);
    }

    /**
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ApiKey> revokeApiKey(
        dev.webhookd.v1.RevokeApiKeyRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getRevokeApiKeyMethod(), getCallOptions()), request);
    }

    /**
     * <pre>
     * The event-type catalog (event_catalog in the config file): the event
     * types producers may send, each with a description and optionally the
     * JSON Schema that Dispatch checks its payloads against. Open to every
     * API key role.
     * </pre>
     */
    public com.google.common.util.concurrent.ListenableFuture<dev.webhookd.v1.ListEventTypesResponse> listEventTypes(
        dev.webhookd.v1.ListEventTypesRequest request) {
      return io.grpc.stub.ClientCalls.futureUnaryCall(
          getChannel().newCall(getListEventTypesMethod(), getCallOptions()), request);
    }
  }

  private static final int METHODID_DISPATCH = 0;
  private static final int METHODID_REPLAY = 1;
  private static final int METHODID_STREAM_DELIVERIES = 2;
  private static final int METHODID_GET_METRICS = 3;
  private static final int METHODID_GET_EVENT = 4;
  private static final int METHODID_LIST_EVENTS = 5;
  private static final int METHODID_LIST_DELIVERIES = 6;
  private static final int METHODID_LIST_DEAD_LETTERS = 7;
  private static final int METHODID_REDRIVE_DEAD_LETTERS = 8;
  private static final int METHODID_CREATE_ENDPOINT = 9;
  private static final int METHODID_GET_ENDPOINT = 10;
  private static final int METHODID_LIST_ENDPOINTS = 11;
  private static final int METHODID_UPDATE_ENDPOINT = 12;
  private static final int METHODID_DELETE_ENDPOINT = 13;
  private static final int METHODID_ENABLE_ENDPOINT = 14;
  private static final int METHODID_DISABLE_ENDPOINT = 15;
  private static final int METHODID_ROTATE_ENDPOINT_SECRET = 16;
  private static final int METHODID_CREATE_API_KEY = 17;
  private static final int METHODID_LIST_API_KEYS = 18;
  private static final int METHODID_REVOKE_API_KEY = 19;
  private static final int METHODID_LIST_EVENT_TYPES = 20;

  private static final class MethodHandlers<Req, Resp> implements
      io.grpc.stub.ServerCalls.UnaryMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ServerStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.ClientStreamingMethod<Req, Resp>,
      io.grpc.stub.ServerCalls.BidiStreamingMethod<Req, Resp> {
    private final AsyncService serviceImpl;
    private final int methodId;

    MethodHandlers(AsyncService serviceImpl, int methodId) {
      this.serviceImpl = serviceImpl;
      this.methodId = methodId;
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public void invoke(Req request, io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        case METHODID_DISPATCH:
          serviceImpl.dispatch((dev.webhookd.v1.DispatchRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.DispatchResponse>) responseObserver);
          break;
        case METHODID_REPLAY:
          serviceImpl.replay((dev.webhookd.v1.ReplayRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ReplayResponse>) responseObserver);
          break;
        case METHODID_STREAM_DELIVERIES:
          serviceImpl.streamDeliveries((dev.webhookd.v1.StreamDeliveriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.DeliveryUpdate>) responseObserver);
          break;
        case METHODID_GET_METRICS:
          serviceImpl.getMetrics((dev.webhookd.v1.GetMetricsRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.GetMetricsResponse>) responseObserver);
          break;
        case METHODID_GET_EVENT:
          serviceImpl.getEvent((dev.webhookd.v1.GetEventRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.GetEventResponse>) responseObserver);
          break;
        case METHODID_LIST_EVENTS:
          serviceImpl.listEvents((dev.webhookd.v1.ListEventsRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventsResponse>) responseObserver);
          break;
        case METHODID_LIST_DELIVERIES:
          serviceImpl.listDeliveries((dev.webhookd.v1.ListDeliveriesRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse>) responseObserver);
          break;
        case METHODID_LIST_DEAD_LETTERS:
          serviceImpl.listDeadLetters((dev.webhookd.v1.ListDeadLettersRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListDeliveriesResponse>) responseObserver);
          break;
        case METHODID_REDRIVE_DEAD_LETTERS:
          serviceImpl.redriveDeadLetters((dev.webhookd.v1.RedriveDeadLettersRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.RedriveDeadLettersResponse>) responseObserver);
          break;
        case METHODID_CREATE_ENDPOINT:
          serviceImpl.createEndpoint((dev.webhookd.v1.CreateEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint>) responseObserver);
          break;
        case METHODID_GET_ENDPOINT:
          serviceImpl.getEndpoint((dev.webhookd.v1.GetEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint>) responseObserver);
          break;
        case METHODID_LIST_ENDPOINTS:
          serviceImpl.listEndpoints((dev.webhookd.v1.ListEndpointsRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEndpointsResponse>) responseObserver);
          break;
        case METHODID_UPDATE_ENDPOINT:
          serviceImpl.updateEndpoint((dev.webhookd.v1.UpdateEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint>) responseObserver);
          break;
        case METHODID_DELETE_ENDPOINT:
          serviceImpl.deleteEndpoint((dev.webhookd.v1.DeleteEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.DeleteEndpointResponse>) responseObserver);
          break;
        case METHODID_ENABLE_ENDPOINT:
          serviceImpl.enableEndpoint((dev.webhookd.v1.EnableEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint>) responseObserver);
          break;
        case METHODID_DISABLE_ENDPOINT:
          serviceImpl.disableEndpoint((dev.webhookd.v1.DisableEndpointRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.Endpoint>) responseObserver);
          break;
        case METHODID_ROTATE_ENDPOINT_SECRET:
          serviceImpl.rotateEndpointSecret((dev.webhookd.v1.RotateEndpointSecretRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.RotateEndpointSecretResponse>) responseObserver);
          break;
        case METHODID_CREATE_API_KEY:
          serviceImpl.createApiKey((dev.webhookd.v1.CreateApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.CreateApiKeyResponse>) responseObserver);
          break;
        case METHODID_LIST_API_KEYS:
          serviceImpl.listApiKeys((dev.webhookd.v1.ListApiKeysRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListApiKeysResponse>) responseObserver);
          break;
        case METHODID_REVOKE_API_KEY:
          serviceImpl.revokeApiKey((dev.webhookd.v1.RevokeApiKeyRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ApiKey>) responseObserver);
          break;
        case METHODID_LIST_EVENT_TYPES:
          serviceImpl.listEventTypes((dev.webhookd.v1.ListEventTypesRequest) request,
              (io.grpc.stub.StreamObserver<dev.webhookd.v1.ListEventTypesResponse>) responseObserver);
          break;
        default:
          throw new AssertionError();
      }
    }

    @java.lang.Override
    @java.lang.SuppressWarnings("unchecked")
    public io.grpc.stub.StreamObserver<Req> invoke(
        io.grpc.stub.StreamObserver<Resp> responseObserver) {
      switch (methodId) {
        default:
          throw new AssertionError();
      }
    }
  }

  public static final io.grpc.ServerServiceDefinition bindService(AsyncService service) {
    return io.grpc.ServerServiceDefinition.builder(getServiceDescriptor())
        .addMethod(
          getDispatchMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.DispatchRequest,
              dev.webhookd.v1.DispatchResponse>(
                service, METHODID_DISPATCH)))
        .addMethod(
          getReplayMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ReplayRequest,
              dev.webhookd.v1.ReplayResponse>(
                service, METHODID_REPLAY)))
        .addMethod(
          getStreamDeliveriesMethod(),
          io.grpc.stub.ServerCalls.asyncServerStreamingCall(
            new MethodHandlers<
              dev.webhookd.v1.StreamDeliveriesRequest,
              dev.webhookd.v1.DeliveryUpdate>(
                service, METHODID_STREAM_DELIVERIES)))
        .addMethod(
          getGetMetricsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.GetMetricsRequest,
              dev.webhookd.v1.GetMetricsResponse>(
                service, METHODID_GET_METRICS)))
        .addMethod(
          getGetEventMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.GetEventRequest,
              dev.webhookd.v1.GetEventResponse>(
                service, METHODID_GET_EVENT)))
        .addMethod(
          getListEventsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListEventsRequest,
              dev.webhookd.v1.ListEventsResponse>(
                service, METHODID_LIST_EVENTS)))
        .addMethod(
          getListDeliveriesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListDeliveriesRequest,
              dev.webhookd.v1.ListDeliveriesResponse>(
                service, METHODID_LIST_DELIVERIES)))
        .addMethod(
          getListDeadLettersMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListDeadLettersRequest,
              dev.webhookd.v1.ListDeliveriesResponse>(
                service, METHODID_LIST_DEAD_LETTERS)))
        .addMethod(
          getRedriveDeadLettersMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.RedriveDeadLettersRequest,
              dev.webhookd.v1.RedriveDeadLettersResponse>(
                service, METHODID_REDRIVE_DEAD_LETTERS)))
        .addMethod(
          getCreateEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.CreateEndpointRequest,
              dev.webhookd.v1.Endpoint>(
                service, METHODID_CREATE_ENDPOINT)))
        .addMethod(
          getGetEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.GetEndpointRequest,
              dev.webhookd.v1.Endpoint>(
                service, METHODID_GET_ENDPOINT)))
        .addMethod(
          getListEndpointsMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListEndpointsRequest,
              dev.webhookd.v1.ListEndpointsResponse>(
                service, METHODID_LIST_ENDPOINTS)))
        .addMethod(
          getUpdateEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.UpdateEndpointRequest,
              dev.webhookd.v1.Endpoint>(
                service, METHODID_UPDATE_ENDPOINT)))
        .addMethod(
          getDeleteEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.DeleteEndpointRequest,
              dev.webhookd.v1.DeleteEndpointResponse>(
                service, METHODID_DELETE_ENDPOINT)))
        .addMethod(
          getEnableEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.EnableEndpointRequest,
              dev.webhookd.v1.Endpoint>(
                service, METHODID_ENABLE_ENDPOINT)))
        .addMethod(
          getDisableEndpointMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.DisableEndpointRequest,
              dev.webhookd.v1.Endpoint>(
                service, METHODID_DISABLE_ENDPOINT)))
        .addMethod(
          getRotateEndpointSecretMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.RotateEndpointSecretRequest,
              dev.webhookd.v1.RotateEndpointSecretResponse>(
                service, METHODID_ROTATE_ENDPOINT_SECRET)))
        .addMethod(
          getCreateApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.CreateApiKeyRequest,
              dev.webhookd.v1.CreateApiKeyResponse>(
                service, METHODID_CREATE_API_KEY)))
        .addMethod(
          getListApiKeysMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListApiKeysRequest,
              dev.webhookd.v1.ListApiKeysResponse>(
                service, METHODID_LIST_API_KEYS)))
        .addMethod(
          getRevokeApiKeyMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.RevokeApiKeyRequest,
              dev.webhookd.v1.ApiKey>(
                service, METHODID_REVOKE_API_KEY)))
        .addMethod(
          getListEventTypesMethod(),
          io.grpc.stub.ServerCalls.asyncUnaryCall(
            new MethodHandlers<
              dev.webhookd.v1.ListEventTypesRequest,
              dev.webhookd.v1.ListEventTypesResponse>(
                service, METHODID_LIST_EVENT_TYPES)))
        .build();
  }

  private static abstract class WebhookServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoFileDescriptorSupplier, io.grpc.protobuf.ProtoServiceDescriptorSupplier {
    WebhookServiceBaseDescriptorSupplier() {}

    @java.lang.Override
    public com.google.protobuf.Descriptors.FileDescriptor getFileDescriptor() {
      return dev.webhookd.v1.Webhook.getDescriptor();
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.ServiceDescriptor getServiceDescriptor() {
      return getFileDescriptor().findServiceByName("WebhookService");
    }
  }

  private static final class WebhookServiceFileDescriptorSupplier
      extends WebhookServiceBaseDescriptorSupplier {
    WebhookServiceFileDescriptorSupplier() {}
  }

  private static final class WebhookServiceMethodDescriptorSupplier
      extends WebhookServiceBaseDescriptorSupplier
      implements io.grpc.protobuf.ProtoMethodDescriptorSupplier {
    private final java.lang.String methodName;

    WebhookServiceMethodDescriptorSupplier(java.lang.String methodName) {
      this.methodName = methodName;
    }

    @java.lang.Override
    public com.google.protobuf.Descriptors.MethodDescriptor getMethodDescriptor() {
      return getServiceDescriptor().findMethodByName(methodName);
    }
  }

  private static volatile io.grpc.ServiceDescriptor serviceDescriptor;

  public static io.grpc.ServiceDescriptor getServiceDescriptor() {
    io.grpc.ServiceDescriptor result = serviceDescriptor;
    if (result == null) {
      synchronized (WebhookServiceGrpc.class) {
        result = serviceDescriptor;
        if (result == null) {
          serviceDescriptor = result = io.grpc.ServiceDescriptor.newBuilder(SERVICE_NAME)
              .setSchemaDescriptor(new WebhookServiceFileDescriptorSupplier())
              .addMethod(getDispatchMethod())
              .addMethod(getReplayMethod())
              .addMethod(getStreamDeliveriesMethod())
              .addMethod(getGetMetricsMethod())
              .addMethod(getGetEventMethod())
              .addMethod(getListEventsMethod())
              .addMethod(getListDeliveriesMethod())
              .addMethod(getListDeadLettersMethod())
              .addMethod(getRedriveDeadLettersMethod())
              .addMethod(getCreateEndpointMethod())
              .addMethod(getGetEndpointMethod())
              .addMethod(getListEndpointsMethod())
              .addMethod(getUpdateEndpointMethod())
              .addMethod(getDeleteEndpointMethod())
              .addMethod(getEnableEndpointMethod())
              .addMethod(getDisableEndpointMethod())
              .addMethod(getRotateEndpointSecretMethod())
              .addMethod(getCreateApiKeyMethod())
              .addMethod(getListApiKeysMethod())
              .addMethod(getRevokeApiKeyMethod())
              .addMethod(getListEventTypesMethod())
              .build();
        }
      }
    }
    return result;
  }
}
