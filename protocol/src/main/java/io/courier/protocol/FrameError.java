package io.courier.protocol;

/** Why a client frame was refused: an {@link ErrorCodes} value, a human message, the frame's ref. */
public record FrameError(String code, String message, String ref) {}
