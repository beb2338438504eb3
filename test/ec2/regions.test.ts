import assert from "node:assert/strict";
import { test } from "node:test";
import { DescribeAvailabilityZonesCommand, DescribeRegionsCommand, EC2Client } from "@aws-sdk/client-ec2";
import { rejectsWith, useServer } from "../helpers.js";
import { CLIENTS, runAws, runPython } from "../query/clients.js";

const server = useServer();
const ec2 = (region = "us-east-1") => new EC2Client(server.clientConfig(region));

/** The Regions every account has without opting in (launched before March 20, 2019). */
const DEFAULT_REGIONS = [
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ca-central-1",
  "eu-central-1",
  "eu-north-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "sa-east-1",
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
];

const names = (regions: { RegionName?: string }[] | undefined) => (regions ?? []).map((r) => r.RegionName).sort();

test("DescribeRegions lists the enabled Regions with their EC2 endpoints", async () => {
  const { Regions } = await ec2().send(new DescribeRegionsCommand({}));
  assert.deepEqual(names(Regions), DEFAULT_REGIONS);
  for (const region of Regions ?? []) {
    assert.equal(region.Endpoint, `ec2.${region.RegionName}.amazonaws.com`);
    assert.equal(region.OptInStatus, "opt-in-not-required");
  }
  assert.deepEqual(Regions?.find((r) => r.RegionName === "eu-west-2")?.Geography, [{ Name: "United Kingdom" }]);
});

test("AllRegions adds the opt-in Regions as not-opted-in", async () => {
  const { Regions = [] } = await ec2().send(new DescribeRegionsCommand({ AllRegions: true }));
  assert.equal(new Set(names(Regions)).size, Regions.length);
  for (const name of DEFAULT_REGIONS)
    assert.ok(
      Regions.some((r) => r.RegionName === name),
      name,
    );
  const optIn = Regions.filter((r) => r.OptInStatus === "not-opted-in").map((r) => r.RegionName);
  for (const name of [
    "af-south-1",
    "ap-east-1",
    "eu-south-2",
    "il-central-1",
    "me-central-1",
    "ca-west-1",
    "mx-central-1",
    "ap-southeast-7",
  ]) {
    assert.ok(optIn.includes(name), `${name} is opt-in`);
  }
  assert.equal(optIn.length + DEFAULT_REGIONS.length, Regions.length);
});

test("RegionNames describes exactly the named Regions, enabled or not", async () => {
  const { Regions } = await ec2().send(new DescribeRegionsCommand({ RegionNames: ["us-west-2", "af-south-1"] }));
  assert.deepEqual((Regions ?? []).map((r) => [r.RegionName, r.OptInStatus]).sort(), [
    ["af-south-1", "not-opted-in"],
    ["us-west-2", "opt-in-not-required"],
  ]);
});

test("an unknown Region name is InvalidParameterValue", async () => {
  const err = await rejectsWith(
    ec2().send(new DescribeRegionsCommand({ RegionNames: ["us-east-1", "xx-fake-1"] })),
    "InvalidParameterValue",
    400,
  );
  assert.equal(err.message, "Invalid region: [xx-fake-1]");
});

test("DescribeRegions filters: wildcards, OR within a filter, AND across filters", async () => {
  const client = ec2();
  const eu = await client.send(new DescribeRegionsCommand({ Filters: [{ Name: "region-name", Values: ["eu-*"] }] }));
  assert.deepEqual(names(eu.Regions), ["eu-central-1", "eu-north-1", "eu-west-1", "eu-west-2", "eu-west-3"]);
  const either = await client.send(
    new DescribeRegionsCommand({ Filters: [{ Name: "endpoint", Values: ["ec2.us-east-?.amazonaws.com", "ec2.sa-east-1.amazonaws.com"] }] }),
  );
  assert.deepEqual(names(either.Regions), ["sa-east-1", "us-east-1", "us-east-2"]);
  const both = await client.send(
    new DescribeRegionsCommand({
      AllRegions: true,
      Filters: [
        { Name: "opt-in-status", Values: ["not-opted-in"] },
        { Name: "region-name", Values: ["eu-*"] },
      ],
    }),
  );
  assert.deepEqual(names(both.Regions), ["eu-central-2", "eu-south-1", "eu-south-2"]);
  const none = await client.send(new DescribeRegionsCommand({ Filters: [{ Name: "region-name", Values: ["EU-*"] }] }));
  assert.deepEqual(none.Regions, []);
});

test("an unknown filter name is InvalidParameterValue", async () => {
  const err = await rejectsWith(
    ec2().send(new DescribeRegionsCommand({ Filters: [{ Name: "bogus", Values: ["x"] }] })),
    "InvalidParameterValue",
    400,
  );
  assert.equal(err.message, "The filter 'bogus' is invalid");
});

test("DryRun answers DryRunOperation", async () => {
  const err = await rejectsWith(ec2().send(new DescribeRegionsCommand({ DryRun: true })), "DryRunOperation", 412);
  assert.equal(err.message, "Request would have succeeded, but DryRun flag is set.");
});

test("DescribeAvailabilityZones describes the request Region's zones", async () => {
  const { AvailabilityZones = [] } = await ec2().send(new DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    AvailabilityZones.map((z) => [z.ZoneName, z.ZoneId]),
    [
      ["us-east-1a", "use1-az1"],
      ["us-east-1b", "use1-az2"],
      ["us-east-1c", "use1-az3"],
      ["us-east-1d", "use1-az4"],
      ["us-east-1e", "use1-az5"],
      ["us-east-1f", "use1-az6"],
    ],
  );
  for (const zone of AvailabilityZones) {
    assert.equal(zone.RegionName, "us-east-1");
    assert.equal(zone.State, "available");
    assert.equal(zone.ZoneType, "availability-zone");
    assert.equal(zone.OptInStatus, "opt-in-not-required");
    assert.equal(zone.GroupName, "us-east-1-zg-1");
    assert.equal(zone.GroupLongName, "US East (N. Virginia) 1");
    assert.equal(zone.NetworkBorderGroup, "us-east-1");
    assert.deepEqual(zone.Messages, []);
  }
  const tokyo = await ec2("ap-northeast-1").send(new DescribeAvailabilityZonesCommand({}));
  assert.deepEqual(
    tokyo.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId]),
    [
      ["ap-northeast-1a", "apne1-az4"],
      ["ap-northeast-1c", "apne1-az1"],
      ["ap-northeast-1d", "apne1-az2"],
    ],
  );
  const frankfurt = await ec2("eu-central-1").send(new DescribeAvailabilityZonesCommand({ AllAvailabilityZones: true }));
  assert.deepEqual(
    frankfurt.AvailabilityZones?.map((z) => z.ZoneId),
    ["euc1-az2", "euc1-az3", "euc1-az1"],
  );
});

test("ZoneNames and ZoneIds select zones; unknown or foreign zones are InvalidParameterValue", async () => {
  const client = ec2("us-west-2");
  const selected = await client.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-west-2b"], ZoneIds: ["usw2-az4"] }));
  assert.deepEqual(
    selected.AvailabilityZones?.map((z) => z.ZoneName),
    ["us-west-2b", "us-west-2d"],
  );
  const err = await rejectsWith(
    client.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-west-2z"] })),
    "InvalidParameterValue",
    400,
  );
  assert.equal(err.message, "Invalid availability zone: [us-west-2z]");
  await rejectsWith(client.send(new DescribeAvailabilityZonesCommand({ ZoneNames: ["us-east-1a"] })), "InvalidParameterValue", 400);
  await rejectsWith(client.send(new DescribeAvailabilityZonesCommand({ ZoneIds: ["use1-az1"] })), "InvalidParameterValue", 400);
});

test("DescribeAvailabilityZones filters", async () => {
  const client = ec2();
  const zones = async (filters: { Name: string; Values: string[] }[]) =>
    (await client.send(new DescribeAvailabilityZonesCommand({ Filters: filters }))).AvailabilityZones?.map((z) => z.ZoneName);
  assert.deepEqual(await zones([{ Name: "zone-id", Values: ["use1-az2", "use1-az5"] }]), ["us-east-1b", "us-east-1e"]);
  assert.deepEqual(await zones([{ Name: "zone-name", Values: ["*a", "*f"] }]), ["us-east-1a", "us-east-1f"]);
  assert.equal((await zones([{ Name: "state", Values: ["available"] }]))?.length, 6);
  assert.deepEqual(await zones([{ Name: "state", Values: ["impaired"] }]), []);
  assert.equal((await zones([{ Name: "zone-type", Values: ["availability-zone"] }]))?.length, 6);
  assert.deepEqual(await zones([{ Name: "zone-type", Values: ["local-zone"] }]), []);
  assert.deepEqual(await zones([{ Name: "region-name", Values: ["us-west-2"] }]), []);
  assert.deepEqual(
    await zones([
      { Name: "region-name", Values: ["us-east-1"] },
      { Name: "zone-id", Values: ["use1-az6"] },
    ]),
    ["us-east-1f"],
  );
  await rejectsWith(
    client.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: "zone", Values: ["x"] }] })),
    "InvalidParameterValue",
    400,
  );
});

test("boto3 1.43 describe_regions and describe_availability_zones", async () => {
  const script = `
import boto3, json
ec2 = boto3.client("ec2", region_name="eu-west-2")
regions = ec2.describe_regions(AllRegions=True, Filters=[{"Name": "region-name", "Values": ["ap-*"]}])["Regions"]
zones = ec2.describe_availability_zones(ZoneIds=["euw2-az1"])["AvailabilityZones"]
try:
    ec2.describe_regions(RegionNames=["nowhere-1"])
    error = None
except ec2.exceptions.ClientError as e:
    error = [e.response["Error"]["Code"], e.response["Error"]["Message"], e.response["ResponseMetadata"]["HTTPStatusCode"]]
print(json.dumps({"regions": sorted(r["RegionName"] for r in regions), "zones": zones, "error": error}))
`;
  const out = await runPython<{ regions: string[]; zones: Record<string, unknown>[]; error: unknown[] }>(
    CLIENTS.python,
    script,
    server.endpoint,
  );
  assert.ok(out.regions.length >= 10 && out.regions.every((r) => r.startsWith("ap-")));
  assert.ok(out.regions.includes("ap-east-1") && out.regions.includes("ap-northeast-1"));
  assert.equal(out.zones.length, 1);
  assert.equal(out.zones[0].ZoneName, "eu-west-2c");
  assert.equal(out.zones[0].RegionName, "eu-west-2");
  assert.deepEqual(out.error, ["InvalidParameterValue", "Invalid region: [nowhere-1]", 400]);
});

test("AWS CLI v1 ec2 describe-availability-zones", async () => {
  const run = await runAws(
    CLIENTS.awsV1,
    ["ec2", "describe-availability-zones", "--region", "sa-east-1", "--zone-names", "sa-east-1a"],
    server.endpoint,
  );
  assert.equal(run.code, 0, run.stderr);
  const zones = JSON.parse(run.stdout).AvailabilityZones as { ZoneName: string; ZoneId: string }[];
  assert.deepEqual(
    zones.map((z) => [z.ZoneName, z.ZoneId]),
    [["sa-east-1a", "sae1-az1"]],
  );
});
