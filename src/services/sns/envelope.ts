import type { MessageAttributeValue } from "@aws-sdk/client-sns";
import { invalid } from "./errors.js";
import type { Signer } from "./signing.js";

/** A published message as it travels to subscribers. */
export interface SnsMessage {
  messageId: string;
  topicArn: string;
  subject?: string;
  message: string;
  /** MessageStructure=json: the message per protocol ("default" always present). */
  perProtocol?: Record<string, string>;
  timestamp: string;
  messageAttributes?: Record<string, MessageAttributeValue>;
  sequenceNumber?: string;
  messageGroupId?: string;
  deduplicationId?: string;
}

export type MessageType = "Notification" | "SubscriptionConfirmation" | "UnsubscribeConfirmation";

/** The text a subscriber of `protocol` receives. */
export function messageFor(msg: SnsMessage, protocol: string): string {
  return msg.perProtocol?.[protocol] ?? msg.message;
}

export const unsubscribeUrl = (baseUrl: string, subscriptionArn: string) =>
  `${baseUrl}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscriptionArn)}`;
export const subscribeUrl = (baseUrl: string, topicArn: string, token: string) =>
  `${baseUrl}/?Action=ConfirmSubscription&TopicArn=${encodeURIComponent(topicArn)}&Token=${token}`;

/** The JSON document SNS delivers (SQS bodies, HTTP POST bodies, email-json), fields in AWS's order. */
export function notificationEnvelope(
  msg: SnsMessage,
  protocol: string,
  subscriptionArn: string,
  baseUrl: string,
  signer: Signer,
  signatureVersion: string,
): Record<string, unknown> {
  const message = messageFor(msg, protocol);
  const signed = {
    Type: "Notification",
    MessageId: msg.messageId,
    TopicArn: msg.topicArn,
    Subject: msg.subject,
    Message: message,
    Timestamp: msg.timestamp,
  };
  return {
    Type: "Notification",
    MessageId: msg.messageId,
    ...(msg.sequenceNumber ? { SequenceNumber: msg.sequenceNumber } : {}),
    TopicArn: msg.topicArn,
    ...(msg.subject !== undefined ? { Subject: msg.subject } : {}),
    Message: message,
    Timestamp: msg.timestamp,
    SignatureVersion: signatureVersion,
    Signature: signer.sign(signed, signatureVersion),
    SigningCertURL: signer.certUrl(baseUrl),
    UnsubscribeURL: unsubscribeUrl(baseUrl, subscriptionArn),
    ...(msg.messageAttributes && Object.keys(msg.messageAttributes).length
      ? { MessageAttributes: envelopeAttributes(msg.messageAttributes) }
      : {}),
  };
}

export function confirmationEnvelope(
  type: "SubscriptionConfirmation" | "UnsubscribeConfirmation",
  fields: { messageId: string; topicArn: string; subscriptionArn: string; token: string; timestamp: string },
  baseUrl: string,
  signer: Signer,
  signatureVersion: string,
): Record<string, unknown> {
  const message =
    type === "SubscriptionConfirmation"
      ? `You have chosen to subscribe to the topic ${fields.topicArn}.\nTo confirm the subscription, visit the SubscribeURL included in this message.`
      : `You have chosen to deactivate subscription ${fields.subscriptionArn}.\nTo cancel this operation and restore the subscription, visit the SubscribeURL included in this message.`;
  const signed = {
    Type: type,
    MessageId: fields.messageId,
    Token: fields.token,
    TopicArn: fields.topicArn,
    Message: message,
    SubscribeURL: subscribeUrl(baseUrl, fields.topicArn, fields.token),
    Timestamp: fields.timestamp,
  };
  return {
    ...signed,
    SignatureVersion: signatureVersion,
    Signature: signer.sign(signed, signatureVersion),
    SigningCertURL: signer.certUrl(baseUrl),
  };
}

function envelopeAttributes(attributes: Record<string, MessageAttributeValue>): Record<string, { Type: string; Value: string }> {
  const out: Record<string, { Type: string; Value: string }> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const binary = value.BinaryValue !== undefined;
    out[name] = {
      Type: value.DataType ?? "String",
      Value: binary ? Buffer.from(value.BinaryValue as Uint8Array).toString("base64") : (value.StringValue ?? ""),
    };
  }
  return out;
}

/** AWS's layout: one `"Name" : value` per line, two-space indent. */
export function formatEnvelope(envelope: Record<string, unknown>): string {
  const lines = Object.entries(envelope).map(([key, value]) => `  ${JSON.stringify(key)} : ${JSON.stringify(value)}`);
  return `{\n${lines.join(",\n")}\n}`;
}

/** MessageStructure=json: one message per protocol (or push platform), with a required default. */
export function perProtocolMessages(structure: string, message: string): Record<string, string> {
  if (structure !== "json") throw invalid("MessageStructure");
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalid("Message Structure - JSON message body failed to parse");
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed))
    throw invalid("Message Structure - JSON message body failed to parse");
  const messages = parsed as Record<string, unknown>;
  if (typeof messages.default !== "string") throw invalid("Message Structure - No default entry in JSON message body");
  const out: Record<string, string> = {};
  for (const [protocol, text] of Object.entries(messages)) out[protocol] = typeof text === "string" ? text : JSON.stringify(text);
  return out;
}
