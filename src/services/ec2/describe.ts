import type {
  AvailabilityZone,
  DescribeAvailabilityZonesRequest,
  DescribeAvailabilityZonesResult,
  DescribeRegionsRequest,
  DescribeRegionsResult,
  Region,
} from "@aws-sdk/client-ec2";
import type { RequestContext } from "../types.js";
import { checkDryRun, InvalidParameterValue } from "./errors.js";
import { applyFilters, type FilterFields } from "./filters.js";
import { REGIONS, type RegionData, regionByName, type ZoneData, zonesOf } from "./regions.js";

/** No account has opted in to a Region here: the default Regions are enabled, the opt-in ones are not. */
const optInStatus = (region: RegionData) => (region.optIn ? "not-opted-in" : "opt-in-not-required");

const REGION_FILTERS: FilterFields<Region> = {
  endpoint: (r) => r.Endpoint,
  "opt-in-status": (r) => r.OptInStatus,
  "region-name": (r) => r.RegionName,
};

export function describeRegions(input: DescribeRegionsRequest, _ctx: RequestContext): DescribeRegionsResult {
  checkDryRun(input.DryRun);
  let selected: readonly RegionData[];
  if (input.RegionNames?.length) {
    // Named Regions are described whether or not they are enabled, so AllRegions does not apply.
    const unknown = input.RegionNames.filter((name) => !regionByName.has(name));
    if (unknown.length) throw new InvalidParameterValue(`Invalid region: [${unknown.join(", ")}]`);
    selected = [...new Set(input.RegionNames)].map((name) => regionByName.get(name) as RegionData);
  } else {
    selected = input.AllRegions ? REGIONS : REGIONS.filter((r) => optInStatus(r) !== "not-opted-in");
  }
  const regions = selected.map(
    (r): Region => ({
      RegionName: r.name,
      Endpoint: `ec2.${r.name}.amazonaws.com`,
      OptInStatus: optInStatus(r),
      Geography: [{ Name: r.geography }],
    }),
  );
  return { Regions: applyFilters(regions, input.Filters, REGION_FILTERS) };
}

const ZONE_FILTERS: FilterFields<AvailabilityZone> = {
  "group-long-name": (z) => z.GroupLongName,
  "group-name": (z) => z.GroupName,
  message: (z) => z.Messages?.map((m) => m.Message ?? ""),
  "opt-in-status": (z) => z.OptInStatus,
  "parent-zone-id": (z) => z.ParentZoneId,
  "parent-zone-name": (z) => z.ParentZoneName,
  "region-name": (z) => z.RegionName,
  state: (z) => z.State,
  "zone-id": (z) => z.ZoneId,
  "zone-name": (z) => z.ZoneName,
  "zone-type": (z) => z.ZoneType,
};

/**
 * The request Region's zones. Only Availability Zones exist here (no Local or Wavelength Zones), so
 * AllAvailabilityZones, which adds zones of groups the account has not opted in to, changes nothing.
 */
export function describeAvailabilityZones(input: DescribeAvailabilityZonesRequest, ctx: RequestContext): DescribeAvailabilityZonesResult {
  checkDryRun(input.DryRun);
  const region = regionByName.get(ctx.region);
  let zones = region ? zonesOf(region) : [];
  const names = input.ZoneNames ?? [];
  const ids = input.ZoneIds ?? [];
  if (names.length || ids.length) {
    const unknown = [
      ...names.filter((n) => !zones.some((z) => z.zoneName === n)),
      ...ids.filter((id) => !zones.some((z) => z.zoneId === id)),
    ];
    if (unknown.length) throw new InvalidParameterValue(`Invalid availability zone: [${unknown.join(", ")}]`);
    zones = zones.filter((z) => names.includes(z.zoneName) || ids.includes(z.zoneId));
  }
  return { AvailabilityZones: applyFilters(zones.map(describeZone), input.Filters, ZONE_FILTERS) };
}

function describeZone(zone: ZoneData): AvailabilityZone {
  return {
    OptInStatus: "opt-in-not-required",
    Messages: [],
    RegionName: zone.regionName,
    ZoneName: zone.zoneName,
    ZoneId: zone.zoneId,
    GroupName: zone.groupName,
    GroupLongName: zone.groupLongName,
    NetworkBorderGroup: zone.regionName,
    ZoneType: "availability-zone",
    Geography: [{ Name: zone.geography }],
    State: "available",
  };
}
