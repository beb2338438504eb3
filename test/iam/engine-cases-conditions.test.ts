// biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables (${aws:username}…) are literal text in policies.
import { alice, allow, type Case, conditionCase as c, deny, doc, identity, roleSession, runTable } from "./engine-cases-support.js";

/**
 * Condition operators as the IAM JSON policy reference documents them ("Condition operators",
 * "Creating a condition with multiple keys or values", "Single-valued vs. multivalued context keys",
 * "…IfExists", "Null"), one row per documented behaviour.
 */
const DEFAULTS = { action: "s3:GetObject", resource: "arn:aws:s3:::bucket/key" };

runTable(
  "string operators",
  [
    c("StringEquals matches exactly", { StringEquals: { "aws:PrincipalTag/team": "blue" } }, { "aws:principaltag/team": "blue" }, true),
    c("StringEquals is case-sensitive", { StringEquals: { "aws:PrincipalTag/team": "blue" } }, { "aws:principaltag/team": "Blue" }, false),
    c(
      "StringEquals: any listed value (OR)",
      { StringEquals: { "aws:PrincipalTag/team": ["red", "blue"] } },
      { "aws:principaltag/team": "blue" },
      true,
    ),
    c(
      "StringEquals: a value not listed",
      { StringEquals: { "aws:PrincipalTag/team": ["red", "green"] } },
      { "aws:principaltag/team": "blue" },
      false,
    ),
    c("StringEquals: missing key fails", { StringEquals: { "aws:PrincipalTag/team": "blue" } }, {}, false),
    c("StringEquals does not treat * as a wildcard", { StringEquals: { "s3:prefix": "home/*" } }, { "s3:prefix": "home/alice" }, false),
    c("StringEquals: the literal * value", { StringEquals: { "s3:prefix": "home/*" } }, { "s3:prefix": "home/*" }, true),
    c(
      "StringNotEquals: a different value",
      { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } },
      { "aws:requestedregion": "eu-west-1" },
      true,
    ),
    c(
      "StringNotEquals: the same value",
      { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } },
      { "aws:requestedregion": "us-east-1" },
      false,
    ),
    c(
      "StringNotEquals: none of the listed values (NOR)",
      { StringNotEquals: { "aws:RequestedRegion": ["us-east-1", "us-west-2"] } },
      { "aws:requestedregion": "us-west-2" },
      false,
    ),
    c("StringNotEquals: missing key holds", { StringNotEquals: { "aws:RequestedRegion": "us-east-1" } }, {}, true),
    c(
      "StringEqualsIgnoreCase ignores case",
      { StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "BLUE" } },
      { "aws:principaltag/team": "blue" },
      true,
    ),
    c(
      "StringEqualsIgnoreCase: other value",
      { StringEqualsIgnoreCase: { "aws:PrincipalTag/team": "BLUE" } },
      { "aws:principaltag/team": "blues" },
      false,
    ),
    c(
      "StringNotEqualsIgnoreCase: same value in other case",
      { StringNotEqualsIgnoreCase: { "aws:PrincipalTag/team": "BLUE" } },
      { "aws:principaltag/team": "blue" },
      false,
    ),
    c(
      "StringNotEqualsIgnoreCase: other value",
      { StringNotEqualsIgnoreCase: { "aws:PrincipalTag/team": "BLUE" } },
      { "aws:principaltag/team": "red" },
      true,
    ),
    c("StringLike with *", { StringLike: { "s3:prefix": "home/*" } }, { "s3:prefix": "home/alice/docs" }, true),
    c("StringLike with * matching nothing", { StringLike: { "s3:prefix": "home/*" } }, { "s3:prefix": "home/" }, true),
    c("StringLike with ?", { StringLike: { "s3:prefix": "v?/" } }, { "s3:prefix": "v1/" }, true),
    c("StringLike ? is exactly one character", { StringLike: { "s3:prefix": "v?/" } }, { "s3:prefix": "v10/" }, false),
    c("StringLike is case-sensitive", { StringLike: { "s3:prefix": "Home/*" } }, { "s3:prefix": "home/x" }, false),
    c("StringLike anchors both ends", { StringLike: { "s3:prefix": "home" } }, { "s3:prefix": "home/x" }, false),
    c("StringLike: regex characters are literal", { StringLike: { "s3:prefix": "a.b(c)*" } }, { "s3:prefix": "a.b(c)d" }, true),
    c("StringLike: regex characters do not act as regex", { StringLike: { "s3:prefix": "a.b" } }, { "s3:prefix": "axb" }, false),
    c("StringLike: empty prefix with empty pattern", { StringLike: { "s3:prefix": "" } }, { "s3:prefix": "" }, true),
    c("StringNotLike: not matching", { StringNotLike: { "s3:prefix": "private/*" } }, { "s3:prefix": "public/a" }, true),
    c("StringNotLike: matching", { StringNotLike: { "s3:prefix": "private/*" } }, { "s3:prefix": "private/a" }, false),
    c("StringNotLike: missing key holds", { StringNotLike: { "s3:prefix": "private/*" } }, {}, true),
    c(
      "condition key names are case-insensitive",
      { StringEquals: { "AWS:REQUESTEDREGION": "us-east-1" } },
      { "aws:requestedregion": "us-east-1" },
      true,
    ),
    c(
      "a tag key's case in the key name does not matter",
      { StringEquals: { "aws:PrincipalTag/CostCenter": "42" } },
      { "aws:principaltag/costcenter": "42" },
      true,
    ),
    c("a number written as JSON number compares as text", { StringEquals: { "s3:max-keys": 10 } }, { "s3:max-keys": "10" }, true),
    c(
      "two keys in one operator are ANDed (both hold)",
      { StringEquals: { "aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "us-east-1" } },
      { "aws:principaltag/team": "blue", "aws:requestedregion": "us-east-1" },
      true,
    ),
    c(
      "two keys in one operator are ANDed (one fails)",
      { StringEquals: { "aws:PrincipalTag/team": "blue", "aws:RequestedRegion": "us-east-1" } },
      { "aws:principaltag/team": "blue", "aws:requestedregion": "eu-west-1" },
      false,
    ),
    c(
      "two operators are ANDed (both hold)",
      { StringEquals: { "aws:PrincipalTag/team": "blue" }, StringLike: { "s3:prefix": "home/*" } },
      { "aws:principaltag/team": "blue", "s3:prefix": "home/x" },
      true,
    ),
    c(
      "two operators are ANDed (one fails)",
      { StringEquals: { "aws:PrincipalTag/team": "blue" }, StringLike: { "s3:prefix": "home/*" } },
      { "aws:principaltag/team": "blue", "s3:prefix": "work/x" },
      false,
    ),
  ],
  DEFAULTS,
);

runTable(
  "numeric operators",
  [
    c("NumericEquals", { NumericEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, true),
    c("NumericEquals compares numbers, not text", { NumericEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10.0" }, true),
    c("NumericEquals: different", { NumericEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "11" }, false),
    c("NumericNotEquals: different", { NumericNotEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "11" }, true),
    c("NumericNotEquals: equal", { NumericNotEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, false),
    c("NumericNotEquals: missing key holds", { NumericNotEquals: { "s3:max-keys": "10" } }, {}, true),
    c("NumericLessThan: below", { NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "9" }, true),
    c("NumericLessThan: equal", { NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, false),
    c("NumericLessThanEquals: equal", { NumericLessThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, true),
    c("NumericLessThanEquals: above", { NumericLessThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "11" }, false),
    c("NumericGreaterThan: above", { NumericGreaterThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "11" }, true),
    c("NumericGreaterThan: equal", { NumericGreaterThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, false),
    c("NumericGreaterThanEquals: equal", { NumericGreaterThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "10" }, true),
    c("NumericGreaterThanEquals: below", { NumericGreaterThanEquals: { "s3:max-keys": "10" } }, { "s3:max-keys": "9" }, false),
    c("numeric comparisons are not lexical", { NumericLessThan: { "s3:max-keys": "100" } }, { "s3:max-keys": "20" }, true),
    c("decimals compare", { NumericLessThan: { "s3:max-keys": "1.5" } }, { "s3:max-keys": "1.25" }, true),
    c("negative numbers compare", { NumericGreaterThan: { "s3:max-keys": "-5" } }, { "s3:max-keys": "-1" }, true),
    c("a non-numeric context value never matches", { NumericLessThan: { "s3:max-keys": "10" } }, { "s3:max-keys": "abc" }, false),
    c("an empty context value never matches", { NumericGreaterThanEquals: { "s3:max-keys": "0" } }, { "s3:max-keys": "" }, false),
    c("a missing key fails a numeric operator", { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } }, {}, false),
    c(
      "NumericLessThan on MFA age within an hour",
      { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
      { "aws:multifactorauthage": "120" },
      true,
    ),
    c(
      "NumericLessThan on MFA age after an hour",
      { NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } },
      { "aws:multifactorauthage": "7200" },
      false,
    ),
    c("any of several numeric values", { NumericEquals: { "s3:max-keys": ["5", "10"] } }, { "s3:max-keys": "5" }, true),
  ],
  DEFAULTS,
);

runTable(
  "date operators",
  [
    c(
      "DateGreaterThan with ISO 8601",
      { DateGreaterThan: { "aws:CurrentTime": "2020-04-01T00:00:00Z" } },
      { "aws:currenttime": "2024-06-01T12:00:00Z" },
      true,
    ),
    c(
      "DateGreaterThan: before",
      { DateGreaterThan: { "aws:CurrentTime": "2020-04-01T00:00:00Z" } },
      { "aws:currenttime": "2019-06-01T12:00:00Z" },
      false,
    ),
    c(
      "DateLessThan with ISO 8601",
      { DateLessThan: { "aws:CurrentTime": "2020-06-30T23:59:59Z" } },
      { "aws:currenttime": "2020-05-01T00:00:00Z" },
      true,
    ),
    c(
      "DateLessThan: after",
      { DateLessThan: { "aws:CurrentTime": "2020-06-30T23:59:59Z" } },
      { "aws:currenttime": "2020-07-01T00:00:00Z" },
      false,
    ),
    c(
      "a date window (both operators)",
      { DateGreaterThan: { "aws:CurrentTime": "2020-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2020-06-30T23:59:59Z" } },
      { "aws:currenttime": "2020-05-15T00:00:00Z" },
      true,
    ),
    c(
      "outside the date window",
      { DateGreaterThan: { "aws:CurrentTime": "2020-04-01T00:00:00Z" }, DateLessThan: { "aws:CurrentTime": "2020-06-30T23:59:59Z" } },
      { "aws:currenttime": "2020-08-15T00:00:00Z" },
      false,
    ),
    c("DateEquals", { DateEquals: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } }, { "aws:currenttime": "2020-01-01T00:00:00Z" }, true),
    c(
      "DateEquals across notations (epoch vs ISO)",
      { DateEquals: { "aws:CurrentTime": "1577836800" } },
      { "aws:currenttime": "2020-01-01T00:00:00Z" },
      true,
    ),
    c(
      "DateNotEquals",
      { DateNotEquals: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
      { "aws:currenttime": "2020-01-02T00:00:00Z" },
      true,
    ),
    c("DateLessThanEquals: equal", { DateLessThanEquals: { "aws:EpochTime": "1700000000" } }, { "aws:epochtime": "1700000000" }, true),
    c(
      "DateGreaterThanEquals: equal",
      { DateGreaterThanEquals: { "aws:EpochTime": "1700000000" } },
      { "aws:epochtime": "1700000000" },
      true,
    ),
    c(
      "DateGreaterThanEquals: before",
      { DateGreaterThanEquals: { "aws:EpochTime": "1700000000" } },
      { "aws:epochtime": "1699999999" },
      false,
    ),
    c(
      "dates with offsets compare as instants",
      { DateLessThan: { "aws:CurrentTime": "2020-01-01T01:00:00+02:00" } },
      { "aws:currenttime": "2019-12-31T22:30:00Z" },
      true,
    ),
    c(
      "a date-only policy value",
      { DateGreaterThan: { "aws:CurrentTime": "2020-01-01" } },
      { "aws:currenttime": "2020-01-02T00:00:00Z" },
      true,
    ),
    c("a missing key fails a date operator", { DateGreaterThan: { "aws:TokenIssueTime": "2020-01-01T00:00:00Z" } }, {}, false),
    c(
      "an unparsable context date never matches",
      { DateGreaterThan: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
      { "aws:currenttime": "yesterday" },
      false,
    ),
    c(
      "token issued after a revocation time",
      { DateLessThan: { "aws:TokenIssueTime": "2024-01-01T00:00:00Z" } },
      { "aws:tokenissuetime": "2024-02-01T00:00:00Z" },
      false,
    ),
  ],
  DEFAULTS,
);

runTable(
  "Bool, BinaryEquals, IP address and ARN operators",
  [
    c("Bool true", { Bool: { "aws:SecureTransport": "true" } }, { "aws:securetransport": "true" }, true),
    c("Bool false value", { Bool: { "aws:SecureTransport": "true" } }, { "aws:securetransport": "false" }, false),
    c("Bool with a JSON boolean", { Bool: { "aws:SecureTransport": true } }, { "aws:securetransport": "true" }, true),
    c("Bool is case-insensitive", { Bool: { "aws:SecureTransport": "TRUE" } }, { "aws:securetransport": "true" }, true),
    c("Bool false matches false", { Bool: { "aws:MultiFactorAuthPresent": "false" } }, { "aws:multifactorauthpresent": "false" }, true),
    c("Bool on a missing key fails", { Bool: { "aws:MultiFactorAuthPresent": "true" } }, {}, false),
    c("Bool false on a missing key fails too", { Bool: { "aws:MultiFactorAuthPresent": "false" } }, {}, false),
    c("BoolIfExists false on a missing key holds", { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } }, {}, true),
    c(
      "BoolIfExists false with MFA present fails",
      { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
      { "aws:multifactorauthpresent": "true" },
      false,
    ),
    c(
      "BinaryEquals on base64 text",
      { BinaryEquals: { "s3:x-amz-key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } },
      { "s3:x-amz-key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" },
      true,
    ),
    c(
      "BinaryEquals: other bytes",
      { BinaryEquals: { "s3:x-amz-key": "QmluYXJ5VmFsdWVJbkJhc2U2NA==" } },
      { "s3:x-amz-key": "b3RoZXI=" },
      false,
    ),
    c("IpAddress in an IPv4 range", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:sourceip": "203.0.113.77" }, true),
    c("IpAddress outside the range", { IpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:sourceip": "203.0.114.1" }, false),
    c(
      "IpAddress: a single address without prefix",
      { IpAddress: { "aws:SourceIp": "203.0.113.5" } },
      { "aws:sourceip": "203.0.113.5" },
      true,
    ),
    c("IpAddress: a single address is a /32", { IpAddress: { "aws:SourceIp": "203.0.113.5" } }, { "aws:sourceip": "203.0.113.6" }, false),
    c("IpAddress: /0 covers every IPv4 address", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, { "aws:sourceip": "8.8.8.8" }, true),
    c(
      "IpAddress: one of several ranges",
      { IpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } },
      { "aws:sourceip": "192.0.2.9" },
      true,
    ),
    c(
      "IpAddress: an IPv6 range",
      { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } },
      { "aws:sourceip": "2001:db8:1234:5678::1" },
      true,
    ),
    c(
      "IpAddress: outside an IPv6 range",
      { IpAddress: { "aws:SourceIp": "2001:DB8:1234:5678::/64" } },
      { "aws:sourceip": "2001:db8:1234:5679::1" },
      false,
    ),
    c(
      "IpAddress: IPv4 caller against an IPv6 range",
      { IpAddress: { "aws:SourceIp": "2001:DB8::/32" } },
      { "aws:sourceip": "203.0.113.1" },
      false,
    ),
    c("IpAddress: a missing key fails", { IpAddress: { "aws:SourceIp": "0.0.0.0/0" } }, {}, false),
    c("NotIpAddress outside the range", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:sourceip": "198.51.100.1" }, true),
    c("NotIpAddress inside the range", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, { "aws:sourceip": "203.0.113.1" }, false),
    c("NotIpAddress: missing key holds", { NotIpAddress: { "aws:SourceIp": "203.0.113.0/24" } }, {}, true),
    c(
      "ArnEquals exact",
      { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic" } },
      { "aws:sourcearn": "arn:aws:sns:us-east-1:111122223333:topic" },
      true,
    ),
    c(
      "ArnEquals: other resource",
      { ArnEquals: { "aws:SourceArn": "arn:aws:sns:us-east-1:111122223333:topic" } },
      { "aws:sourcearn": "arn:aws:sns:us-east-1:111122223333:other" },
      false,
    ),
    c(
      "ArnLike with a wildcard region",
      { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:111122223333:topic" } },
      { "aws:sourcearn": "arn:aws:sns:eu-west-1:111122223333:topic" },
      true,
    ),
    c(
      "ArnLike wildcard stays within its ARN part",
      { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:topic" } },
      { "aws:sourcearn": "arn:aws:sns:eu-west-1:111122223333:topic" },
      false,
    ),
    c(
      "ArnLike with a resource wildcard",
      { ArnLike: { "aws:SourceArn": "arn:aws:s3:::bucket-*" } },
      { "aws:sourcearn": "arn:aws:s3:::bucket-logs" },
      true,
    ),
    c(
      "ArnLike: account mismatch",
      { ArnLike: { "aws:SourceArn": "arn:aws:sns:*:111122223333:*" } },
      { "aws:sourcearn": "arn:aws:sns:us-east-1:444455556666:t" },
      false,
    ),
    c(
      "ArnLike is case-sensitive",
      { ArnLike: { "aws:SourceArn": "arn:aws:s3:::Bucket" } },
      { "aws:sourcearn": "arn:aws:s3:::bucket" },
      false,
    ),
    c("ArnNotEquals: other ARN", { ArnNotEquals: { "aws:SourceArn": "arn:aws:s3:::a" } }, { "aws:sourcearn": "arn:aws:s3:::b" }, true),
    c("ArnNotLike: matching ARN", { ArnNotLike: { "aws:SourceArn": "arn:aws:s3:::a*" } }, { "aws:sourcearn": "arn:aws:s3:::abc" }, false),
    c("ArnNotLike: missing key holds", { ArnNotLike: { "aws:SourceArn": "arn:aws:s3:::a*" } }, {}, true),
    c(
      "ArnLike on aws:PrincipalArn with a role path wildcard",
      { ArnLike: { "aws:PrincipalArn": "arn:aws:iam::111122223333:user/division/*" } },
      {},
      true,
    ),
  ],
  DEFAULTS,
);

runTable(
  "…IfExists and Null",
  [
    c("StringEqualsIfExists: missing key holds", { StringEqualsIfExists: { "ec2:InstanceType": "t2.micro" } }, {}, true),
    c(
      "StringEqualsIfExists: present and equal",
      { StringEqualsIfExists: { "ec2:InstanceType": "t2.micro" } },
      { "ec2:instancetype": "t2.micro" },
      true,
    ),
    c(
      "StringEqualsIfExists: present and different",
      { StringEqualsIfExists: { "ec2:InstanceType": "t2.micro" } },
      { "ec2:instancetype": "m5.large" },
      false,
    ),
    c(
      "StringLikeIfExists: present and matching",
      { StringLikeIfExists: { "ec2:InstanceType": "t2.*" } },
      { "ec2:instancetype": "t2.small" },
      true,
    ),
    c("NumericLessThanIfExists: missing key holds", { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } }, {}, true),
    c(
      "NumericLessThanIfExists: present and too old",
      { NumericLessThanIfExists: { "aws:MultiFactorAuthAge": "3600" } },
      { "aws:multifactorauthage": "4000" },
      false,
    ),
    c("IpAddressIfExists: missing key holds", { IpAddressIfExists: { "aws:SourceIp": "203.0.113.0/24" } }, {}, true),
    c("ArnLikeIfExists: missing key holds", { ArnLikeIfExists: { "aws:SourceArn": "arn:aws:s3:::x" } }, {}, true),
    c(
      "DateLessThanIfExists: present and later",
      { DateLessThanIfExists: { "aws:CurrentTime": "2020-01-01T00:00:00Z" } },
      { "aws:currenttime": "2021-01-01T00:00:00Z" },
      false,
    ),
    c("StringNotEqualsIfExists: missing key holds", { StringNotEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } }, {}, true),
    c(
      "StringNotEqualsIfExists: present and equal",
      { StringNotEqualsIfExists: { "aws:RequestedRegion": "us-east-1" } },
      { "aws:requestedregion": "us-east-1" },
      false,
    ),
    c("Null true: key absent", { Null: { "aws:TokenIssueTime": "true" } }, {}, true),
    c("Null true: key present", { Null: { "aws:TokenIssueTime": "true" } }, { "aws:tokenissuetime": "2020-01-01T00:00:00Z" }, false),
    c("Null false: key present", { Null: { "aws:TokenIssueTime": "false" } }, { "aws:tokenissuetime": "2020-01-01T00:00:00Z" }, true),
    c("Null false: key absent", { Null: { "aws:TokenIssueTime": "false" } }, {}, false),
    c("Null with a JSON boolean", { Null: { "aws:TokenIssueTime": true } }, {}, true),
    c("Null on an empty multivalued key counts as absent", { Null: { "aws:TagKeys": "true" } }, { "aws:tagkeys": [] }, true),
    c("Null false on a request tag that is set", { Null: { "aws:RequestTag/project": "false" } }, { "aws:requesttag/project": "x" }, true),
    c(
      "Null and StringEquals together",
      { Null: { "aws:RequestTag/project": "false" }, StringEquals: { "aws:RequestTag/project": "apollo" } },
      { "aws:requesttag/project": "gemini" },
      false,
    ),
  ],
  DEFAULTS,
);

const tags = (...keys: string[]) => ({ "aws:tagkeys": keys });
runTable(
  "ForAllValues / ForAnyValue (multivalued keys, empty sets)",
  [
    c("ForAllValues: every key allowed", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, tags("env"), true),
    c("ForAllValues: all keys listed", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } }, tags("env", "team"), true),
    c(
      "ForAllValues: one key not allowed",
      { "ForAllValues:StringEquals": { "aws:TagKeys": ["env", "team"] } },
      tags("env", "owner"),
      false,
    ),
    c("ForAllValues: an empty set holds", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } }, tags(), true),
    c("ForAllValues: a missing key holds", { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] } }, {}, true),
    c(
      "ForAllValues with Null false guards against the empty set",
      { "ForAllValues:StringEquals": { "aws:TagKeys": ["env"] }, Null: { "aws:TagKeys": "false" } },
      {},
      false,
    ),
    c("ForAllValues:StringLike", { "ForAllValues:StringLike": { "aws:TagKeys": ["project-*"] } }, tags("project-a", "project-b"), true),
    c(
      "ForAllValues:StringLike: one outside the pattern",
      { "ForAllValues:StringLike": { "aws:TagKeys": ["project-*"] } },
      tags("project-a", "cost"),
      false,
    ),
    c(
      "ForAllValues:StringNotEquals: none forbidden",
      { "ForAllValues:StringNotEquals": { "aws:TagKeys": ["owner"] } },
      tags("env", "team"),
      true,
    ),
    c(
      "ForAllValues:StringNotEquals: one forbidden",
      { "ForAllValues:StringNotEquals": { "aws:TagKeys": ["owner"] } },
      tags("env", "owner"),
      false,
    ),
    c(
      "ForAllValues:StringEqualsIgnoreCase",
      { "ForAllValues:StringEqualsIgnoreCase": { "aws:TagKeys": ["ENV"] } },
      tags("env", "Env"),
      true,
    ),
    c("ForAnyValue: one key listed", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } }, tags("env", "owner"), true),
    c("ForAnyValue: none listed", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } }, tags("owner", "cost"), false),
    c("ForAnyValue: an empty set fails", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } }, tags(), false),
    c("ForAnyValue: a missing key fails", { "ForAnyValue:StringEquals": { "aws:TagKeys": ["env"] } }, {}, false),
    c("ForAnyValue:StringLike", { "ForAnyValue:StringLike": { "aws:TagKeys": ["aws-*"] } }, tags("x", "aws-cost"), true),
    c(
      "ForAnyValue:StringNotEquals: some value differs",
      { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["env"] } },
      tags("env", "team"),
      true,
    ),
    c(
      "ForAnyValue:StringNotEquals: every value is the excluded one",
      { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["env"] } },
      tags("env"),
      false,
    ),
    c(
      "ForAnyValue on a single-valued key",
      { "ForAnyValue:StringEquals": { "aws:RequestedRegion": ["us-east-1", "eu-west-1"] } },
      { "aws:requestedregion": "eu-west-1" },
      true,
    ),
    c(
      "ForAllValues on a single-valued key",
      { "ForAllValues:StringEquals": { "aws:RequestedRegion": ["us-east-1"] } },
      { "aws:requestedregion": "eu-west-1" },
      false,
    ),
    c("ForAnyValue:StringEqualsIfExists: missing key holds", { "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": ["env"] } }, {}, true),
    c(
      "ForAnyValue:NumericLessThan",
      { "ForAnyValue:NumericLessThan": { "dynamodb:Attributes": "5" } },
      { "dynamodb:attributes": ["7", "3"] },
      true,
    ),
    c(
      "ForAllValues on dynamodb:Attributes (allowed attributes)",
      { "ForAllValues:StringEquals": { "dynamodb:Attributes": ["id", "name", "email"] } },
      { "dynamodb:attributes": ["id", "email"] },
      true,
    ),
    c(
      "ForAllValues on dynamodb:Attributes (one extra attribute)",
      { "ForAllValues:StringEquals": { "dynamodb:Attributes": ["id", "name"] } },
      { "dynamodb:attributes": ["id", "ssn"] },
      false,
    ),
    c(
      "ForAllValues on dynamodb:LeadingKeys",
      { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["AIDAALICEEXAMPLE12345"] } },
      { "dynamodb:leadingkeys": ["AIDAALICEEXAMPLE12345"] },
      true,
    ),
    c("a multivalued key without a set operator matches any value", { StringEquals: { "aws:TagKeys": "env" } }, tags("env", "team"), true),
    c(
      "aws:CalledVia with ForAnyValue",
      { "ForAnyValue:StringEquals": { "aws:CalledVia": ["cloudformation.amazonaws.com"] } },
      { "aws:calledvia": ["cloudformation.amazonaws.com"] },
      true,
    ),
    c(
      "aws:CalledVia: direct call fails ForAnyValue",
      { "ForAnyValue:StringEquals": { "aws:CalledVia": ["cloudformation.amazonaws.com"] } },
      {},
      false,
    ),
  ],
  DEFAULTS,
);

/** Policy variables ("IAM policy elements: Variables and tags"). */
const v = (name: string, statement: Record<string, unknown>, expectAllowed: boolean, extra: Partial<Case> = {}): Case => ({
  name,
  set: { identity: [doc("identity", [statement])] },
  expect: expectAllowed ? "allowed" : "implicitDeny",
  ...extra,
});
runTable(
  "policy variables",
  [
    v("${aws:username} in Resource: own home", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), true, {
      resource: "arn:aws:s3:::home/alice/notes.txt",
    }),
    v("${aws:username} in Resource: another home", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), false, {
      resource: "arn:aws:s3:::home/bob/notes.txt",
    }),
    v("${aws:username} is undefined for role sessions", allow("s3:GetObject", "arn:aws:s3:::home/${aws:username}/*"), false, {
      principal: roleSession,
      resource: "arn:aws:s3:::home/s1/notes.txt",
    }),
    v("${aws:userid} for role sessions", allow("s3:GetObject", "arn:aws:s3:::home/${aws:userid}/*"), true, {
      principal: roleSession,
      resource: "arn:aws:s3:::home/AROAAPPEXAMPLE123456:s1/x",
    }),
    v("${aws:PrincipalTag/team} in Resource", allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"), true, {
      context: { "aws:principaltag/team": "blue" },
      resource: "arn:aws:s3:::teams/blue/a",
    }),
    v(
      "a missing tag variable makes the Resource not match",
      allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team}/*"),
      false,
      {
        resource: "arn:aws:s3:::teams//a",
      },
    ),
    v("a default value for a missing variable", allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'shared'}/*"), true, {
      resource: "arn:aws:s3:::teams/shared/a",
    }),
    v(
      "the default is not used when the variable is set",
      allow("s3:GetObject", "arn:aws:s3:::teams/${aws:PrincipalTag/team, 'shared'}/*"),
      false,
      {
        context: { "aws:principaltag/team": "blue" },
        resource: "arn:aws:s3:::teams/shared/a",
      },
    ),
    v("${*} is a literal asterisk", allow("s3:GetObject", "arn:aws:s3:::files/${*}"), true, { resource: "arn:aws:s3:::files/*" }),
    v("${*} does not act as a wildcard", allow("s3:GetObject", "arn:aws:s3:::files/${*}"), false, { resource: "arn:aws:s3:::files/a" }),
    v("${?} is a literal question mark", allow("s3:GetObject", "arn:aws:s3:::files/a${?}"), true, { resource: "arn:aws:s3:::files/a?" }),
    v("${$} is a literal dollar sign", allow("s3:GetObject", "arn:aws:s3:::files/${$}x"), true, { resource: "arn:aws:s3:::files/$x" }),
    v(
      "variables in StringLike conditions",
      allow("s3:ListBucket", "arn:aws:s3:::home", { Condition: { StringLike: { "s3:prefix": ["home/${aws:username}/*"] } } }),
      true,
      {
        action: "s3:ListBucket",
        resource: "arn:aws:s3:::home",
        context: { "s3:prefix": "home/alice/photos/" },
      },
    ),
    v(
      "variables in StringLike conditions (other prefix)",
      allow("s3:ListBucket", "arn:aws:s3:::home", { Condition: { StringLike: { "s3:prefix": ["home/${aws:username}/*"] } } }),
      false,
      {
        action: "s3:ListBucket",
        resource: "arn:aws:s3:::home",
        context: { "s3:prefix": "home/bob/" },
      },
    ),
    v(
      "ResourceTag compared with the caller's own tag",
      allow("ec2:StartInstances", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }),
      true,
      {
        action: "ec2:StartInstances",
        context: { "aws:principaltag/team": "blue", "aws:resourcetag/team": "blue" },
      },
    ),
    v(
      "ResourceTag of another team",
      allow("ec2:StartInstances", "*", { Condition: { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } } }),
      false,
      {
        action: "ec2:StartInstances",
        context: { "aws:principaltag/team": "blue", "aws:resourcetag/team": "red" },
      },
    ),
    v(
      "dynamodb:LeadingKeys restricted to the caller's user id",
      allow("dynamodb:GetItem", "*", { Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:userid}"] } } }),
      true,
      {
        action: "dynamodb:GetItem",
        context: { "dynamodb:leadingkeys": ["AIDAALICEEXAMPLE12345"] },
      },
    ),
    v(
      "dynamodb:LeadingKeys of another user",
      allow("dynamodb:GetItem", "*", { Condition: { "ForAllValues:StringEquals": { "dynamodb:LeadingKeys": ["${aws:userid}"] } } }),
      false,
      {
        action: "dynamodb:GetItem",
        context: { "dynamodb:leadingkeys": ["AIDABOBEXAMPLE1234567"] },
      },
    ),
    v(
      "variables in ArnLike conditions",
      allow("iam:PassRole", "*", { Condition: { ArnLike: { "aws:SourceArn": "arn:aws:iam::*:role/${aws:username}-*" } } }),
      true,
      {
        action: "iam:PassRole",
        context: { "aws:sourcearn": "arn:aws:iam::111122223333:role/alice-app" },
      },
    ),
    v(
      "aws:PrincipalAccount is set for users",
      allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:PrincipalAccount": "111122223333" } } }),
      true,
    ),
    v(
      "aws:PrincipalArn of a session is its role",
      allow("s3:GetObject", "*", { Condition: { ArnEquals: { "aws:PrincipalArn": "arn:aws:iam::111122223333:role/service/app" } } }),
      true,
      {
        principal: roleSession,
      },
    ),
    v("aws:PrincipalType of a user", allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:PrincipalType": "User" } } }), true),
    v(
      "aws:PrincipalType of a session",
      allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:PrincipalType": "AssumedRole" } } }),
      true,
      {
        principal: roleSession,
      },
    ),
    v("aws:username in a condition", allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:username": "alice" } } }), true),
    v("aws:userid in a condition", allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:userid": "${aws:userid}" } } }), true),
  ],
  DEFAULTS,
);

runTable(
  "documented MFA and network policies",
  [
    {
      name: "DenyAllExceptListedIfNoMFA: long-term keys (no MFA key) are denied",
      action: "s3:ListAllMyBuckets",
      set: {
        identity: identity(allow("*"), {
          Effect: "Deny",
          NotAction: ["iam:*MFA*", "sts:GetSessionToken"],
          Resource: "*",
          Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        }),
      },
      expect: "explicitDeny",
    },
    {
      name: "DenyAllExceptListedIfNoMFA: listed actions stay allowed",
      action: "iam:EnableMFADevice",
      set: {
        identity: identity(allow("*"), {
          Effect: "Deny",
          NotAction: ["iam:*MFA*", "sts:GetSessionToken"],
          Resource: "*",
          Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        }),
      },
      expect: "allowed",
    },
    {
      name: "DenyAllExceptListedIfNoMFA: an MFA session passes",
      action: "s3:ListAllMyBuckets",
      context: { "aws:MultiFactorAuthPresent": "true", "aws:MultiFactorAuthAge": "60" },
      set: {
        identity: identity(allow("*"), {
          Effect: "Deny",
          NotAction: ["iam:*MFA*", "sts:GetSessionToken"],
          Resource: "*",
          Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } },
        }),
      },
      expect: "allowed",
    },
    {
      name: "a session without MFA is denied by BoolIfExists false",
      action: "s3:ListAllMyBuckets",
      context: { "aws:MultiFactorAuthPresent": "false" },
      set: { identity: identity(allow("*"), deny("*", "*", { Condition: { BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } } })) },
      expect: "explicitDeny",
    },
    {
      name: "Bool true allow: long-term keys are not allowed",
      action: "ec2:StopInstances",
      set: { identity: identity(allow("ec2:StopInstances", "*", { Condition: { Bool: { "aws:MultiFactorAuthPresent": "true" } } })) },
      expect: "implicitDeny",
    },
    {
      name: "Null MFA age deny: long-term keys are denied",
      action: "ec2:TerminateInstances",
      set: {
        identity: identity(
          allow("ec2:*"),
          deny("ec2:TerminateInstances", "*", { Condition: { Null: { "aws:MultiFactorAuthAge": "true" } } }),
        ),
      },
      expect: "explicitDeny",
    },
    {
      name: "Null MFA age deny: MFA sessions pass",
      action: "ec2:TerminateInstances",
      context: { "aws:MultiFactorAuthAge": "30" },
      set: {
        identity: identity(
          allow("ec2:*"),
          deny("ec2:TerminateInstances", "*", { Condition: { Null: { "aws:MultiFactorAuthAge": "true" } } }),
        ),
      },
      expect: "allowed",
    },
    {
      name: "deny outside the corporate network",
      action: "s3:GetObject",
      context: { "aws:SourceIp": "198.51.100.7" },
      set: {
        identity: identity(
          allow("*"),
          deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } }),
        ),
      },
      expect: "explicitDeny",
    },
    {
      name: "allowed inside the corporate network",
      action: "s3:GetObject",
      context: { "aws:SourceIp": "203.0.113.7" },
      set: {
        identity: identity(
          allow("*"),
          deny("*", "*", { Condition: { NotIpAddress: { "aws:SourceIp": ["192.0.2.0/24", "203.0.113.0/24"] } } }),
        ),
      },
      expect: "allowed",
    },
    {
      name: "deny requests over plain HTTP",
      action: "s3:GetObject",
      context: { "aws:SecureTransport": "false" },
      set: {
        identity: identity(allow("s3:*")),
        resource: [
          doc("resource", [
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
          ]),
        ],
      },
      expect: "explicitDeny",
    },
    {
      name: "HTTPS requests pass the transport deny",
      action: "s3:GetObject",
      context: { "aws:SecureTransport": "true" },
      set: {
        identity: identity(allow("s3:*")),
        resource: [
          doc("resource", [
            { Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
          ]),
        ],
      },
      expect: "allowed",
    },
    {
      name: "deny regions outside the list (aws:RequestedRegion)",
      action: "ec2:RunInstances",
      context: { "aws:RequestedRegion": "ap-south-1" },
      set: {
        identity: identity(allow("*"), {
          Effect: "Deny",
          NotAction: ["iam:*", "sts:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] } },
        }),
      },
      expect: "explicitDeny",
    },
    {
      name: "global services are exempt from the region deny",
      action: "iam:ListUsers",
      context: { "aws:RequestedRegion": "us-east-1" },
      set: {
        identity: identity(allow("*"), {
          Effect: "Deny",
          NotAction: ["iam:*", "sts:*"],
          Resource: "*",
          Condition: { StringNotEquals: { "aws:RequestedRegion": ["eu-central-1", "eu-west-1"] } },
        }),
      },
      expect: "allowed",
    },
    {
      name: "require a tag on creation (aws:RequestTag)",
      action: "ec2:CreateVolume",
      context: { "aws:RequestTag/costcenter": "42", "aws:TagKeys": ["costcenter"] },
      set: {
        identity: identity(
          allow("ec2:CreateVolume", "*", {
            Condition: { StringLike: { "aws:RequestTag/costcenter": "*" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["costcenter"] } },
          }),
        ),
      },
      expect: "allowed",
    },
    {
      name: "a creation without the required tag is denied",
      action: "ec2:CreateVolume",
      context: { "aws:TagKeys": ["other"] },
      set: {
        identity: identity(
          allow("ec2:CreateVolume", "*", {
            Condition: { StringLike: { "aws:RequestTag/costcenter": "*" }, "ForAllValues:StringEquals": { "aws:TagKeys": ["costcenter"] } },
          }),
        ),
      },
      expect: "implicitDeny",
    },
    {
      name: "deny with a matching condition only where the condition holds",
      action: "s3:DeleteObject",
      context: { "aws:PrincipalTag/role": "auditor" },
      set: {
        identity: identity(allow("s3:*"), deny("s3:Delete*", "*", { Condition: { StringEquals: { "aws:PrincipalTag/role": "auditor" } } })),
      },
      expect: "explicitDeny",
    },
    {
      name: "a deny whose condition fails does not apply",
      action: "s3:DeleteObject",
      context: { "aws:PrincipalTag/role": "admin" },
      set: {
        identity: identity(allow("s3:*"), deny("s3:Delete*", "*", { Condition: { StringEquals: { "aws:PrincipalTag/role": "auditor" } } })),
      },
      expect: "allowed",
    },
    {
      name: "an unknown condition operator never matches an allow",
      action: "s3:GetObject",
      set: {
        identity: [
          {
            Version: "2012-10-17",
            Statement: [
              { Effect: "Allow", Action: ["s3:GetObject"], Resource: ["*"], Condition: { StringMatches: { "s3:prefix": ["a"] } } },
            ],
          },
        ],
      },
      expect: "implicitDeny",
    },
    {
      name: "a session principal's aws:PrincipalTag from session tags",
      principal: alice,
      action: "s3:GetObject",
      context: { "aws:PrincipalTag/project": "apollo" },
      set: { identity: identity(allow("s3:GetObject", "*", { Condition: { StringEquals: { "aws:PrincipalTag/project": "apollo" } } })) },
      expect: "allowed",
    },
  ],
  DEFAULTS,
);
