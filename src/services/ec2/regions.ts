/**
 * The AWS commercial partition's Regions and their Availability Zones, as EC2 describes them.
 * Names and descriptions follow the SDK's partition data; Regions launched after March 20, 2019 are opt-in
 * (disabled until the account enables them). AZ letters map to AZ IDs as a new account sees them: the
 * oldest Regions map names per account, so any fixed choice there is one a real account could have.
 */
export interface RegionData {
  name: string;
  /** The partition's description, e.g. "US West (Oregon)"; AZ group long names append the group number. */
  description: string;
  optIn: boolean;
  /** Country of the Region's infrastructure (DescribeRegions/DescribeAvailabilityZones `Geography`). */
  geography: string;
  /** `letter → AZ ID number`, e.g. "a4 c1 d2" for ap-northeast-1a = apne1-az4. */
  zones: string;
}

export interface ZoneData {
  zoneName: string;
  zoneId: string;
  regionName: string;
  groupName: string;
  groupLongName: string;
  geography: string;
}

const USA = "United States of America";

export const REGIONS: readonly RegionData[] = [
  { name: "af-south-1", description: "Africa (Cape Town)", optIn: true, geography: "South Africa", zones: "a1 b2 c3" },
  { name: "ap-east-1", description: "Asia Pacific (Hong Kong)", optIn: true, geography: "Hong Kong", zones: "a1 b2 c3" },
  { name: "ap-east-2", description: "Asia Pacific (Taipei)", optIn: true, geography: "Taiwan", zones: "a1 b2 c3" },
  { name: "ap-northeast-1", description: "Asia Pacific (Tokyo)", optIn: false, geography: "Japan", zones: "a4 c1 d2" },
  { name: "ap-northeast-2", description: "Asia Pacific (Seoul)", optIn: false, geography: "South Korea", zones: "a1 b2 c3 d4" },
  { name: "ap-northeast-3", description: "Asia Pacific (Osaka)", optIn: false, geography: "Japan", zones: "a3 b1 c2" },
  { name: "ap-south-1", description: "Asia Pacific (Mumbai)", optIn: false, geography: "India", zones: "a1 b3 c2" },
  { name: "ap-south-2", description: "Asia Pacific (Hyderabad)", optIn: true, geography: "India", zones: "a1 b2 c3" },
  { name: "ap-southeast-1", description: "Asia Pacific (Singapore)", optIn: false, geography: "Singapore", zones: "a1 b2 c3" },
  { name: "ap-southeast-2", description: "Asia Pacific (Sydney)", optIn: false, geography: "Australia", zones: "a1 b2 c3" },
  { name: "ap-southeast-3", description: "Asia Pacific (Jakarta)", optIn: true, geography: "Indonesia", zones: "a1 b2 c3" },
  { name: "ap-southeast-4", description: "Asia Pacific (Melbourne)", optIn: true, geography: "Australia", zones: "a1 b2 c3" },
  { name: "ap-southeast-5", description: "Asia Pacific (Malaysia)", optIn: true, geography: "Malaysia", zones: "a1 b2 c3" },
  { name: "ap-southeast-6", description: "Asia Pacific (New Zealand)", optIn: true, geography: "New Zealand", zones: "a1 b2 c3" },
  { name: "ap-southeast-7", description: "Asia Pacific (Thailand)", optIn: true, geography: "Thailand", zones: "a1 b2 c3" },
  { name: "ca-central-1", description: "Canada (Central)", optIn: false, geography: "Canada", zones: "a1 b2 d4" },
  { name: "ca-west-1", description: "Canada West (Calgary)", optIn: true, geography: "Canada", zones: "a1 b2 c3" },
  { name: "eu-central-1", description: "Europe (Frankfurt)", optIn: false, geography: "Germany", zones: "a2 b3 c1" },
  { name: "eu-central-2", description: "Europe (Zurich)", optIn: true, geography: "Switzerland", zones: "a1 b2 c3" },
  { name: "eu-north-1", description: "Europe (Stockholm)", optIn: false, geography: "Sweden", zones: "a1 b2 c3" },
  { name: "eu-south-1", description: "Europe (Milan)", optIn: true, geography: "Italy", zones: "a1 b2 c3" },
  { name: "eu-south-2", description: "Europe (Spain)", optIn: true, geography: "Spain", zones: "a1 b2 c3" },
  { name: "eu-west-1", description: "Europe (Ireland)", optIn: false, geography: "Ireland", zones: "a1 b2 c3" },
  { name: "eu-west-2", description: "Europe (London)", optIn: false, geography: "United Kingdom", zones: "a2 b3 c1" },
  { name: "eu-west-3", description: "Europe (Paris)", optIn: false, geography: "France", zones: "a1 b2 c3" },
  { name: "il-central-1", description: "Israel (Tel Aviv)", optIn: true, geography: "Israel", zones: "a1 b2 c3" },
  { name: "me-central-1", description: "Middle East (UAE)", optIn: true, geography: "United Arab Emirates", zones: "a1 b2 c3" },
  { name: "me-south-1", description: "Middle East (Bahrain)", optIn: true, geography: "Bahrain", zones: "a1 b2 c3" },
  { name: "me-west-1", description: "Middle East (Saudi Arabia)", optIn: true, geography: "Saudi Arabia", zones: "a1 b2 c3" },
  { name: "mx-central-1", description: "Mexico (Central)", optIn: true, geography: "Mexico", zones: "a1 b2 c3" },
  { name: "sa-east-1", description: "South America (Sao Paulo)", optIn: false, geography: "Brazil", zones: "a1 b2 c3" },
  { name: "sa-west-1", description: "South America (Chile)", optIn: true, geography: "Chile", zones: "a1 b2 c3" },
  { name: "us-east-1", description: "US East (N. Virginia)", optIn: false, geography: USA, zones: "a1 b2 c3 d4 e5 f6" },
  { name: "us-east-2", description: "US East (Ohio)", optIn: false, geography: USA, zones: "a1 b2 c3" },
  { name: "us-west-1", description: "US West (N. California)", optIn: false, geography: USA, zones: "b3 c1" },
  { name: "us-west-2", description: "US West (Oregon)", optIn: false, geography: USA, zones: "a1 b2 c3 d4" },
];

export const regionByName: ReadonlyMap<string, RegionData> = new Map(REGIONS.map((r) => [r.name, r]));

const DIRECTIONS: Record<string, string> = {
  north: "n",
  south: "s",
  east: "e",
  west: "w",
  central: "c",
  northeast: "ne",
  northwest: "nw",
  southeast: "se",
  southwest: "sw",
};

/** AZ IDs abbreviate the Region: us-east-1 → use1, ap-northeast-1 → apne1, ca-central-1 → cac1. */
function azIdPrefix(region: string): string {
  const [area, direction, number] = region.split("-");
  return `${area}${DIRECTIONS[direction] ?? direction}${number}`;
}

/** The Region's Availability Zones, in zone-name order. */
export function zonesOf(region: RegionData): ZoneData[] {
  return region.zones.split(" ").map((spec) => ({
    zoneName: `${region.name}${spec[0]}`,
    zoneId: `${azIdPrefix(region.name)}-az${spec.slice(1)}`,
    regionName: region.name,
    groupName: `${region.name}-zg-1`,
    groupLongName: `${region.description} 1`,
    geography: region.geography,
  }));
}
