"""撂荒地整治 (abandoned farmland remediation): parcels, their loop, inspections."""
