"""The URLs a dataset's resources use: Blue Button variables and code systems, FHIR code systems, profiles.

A reader looks facts up by these (a CCW variable's extension URL, an identifier's system), never by an
element's position, so both sides agree on them by importing them from here.
"""
from __future__ import annotations

BB_VARIABLES = "https://bluebutton.cms.gov/resources/variables/"
"""A CCW variable's URL is this plus its lower-case name (`…/variables/clm_drg_cd`)."""
BB_CODESYSTEM = "https://bluebutton.cms.gov/resources/codesystem/"
BB_ADJUDICATION = BB_CODESYSTEM + "adjudication"
EOB_TYPE_SYSTEM = BB_CODESYSTEM + "eob-type"
HCPCS_SYSTEM = BB_CODESYSTEM + "hcpcs"
BENE_ID_SYSTEM = BB_VARIABLES + "bene_id"

HL7_CODESYSTEM = "http://terminology.hl7.org/CodeSystem/"
CARIN = "http://hl7.org/fhir/us/carin-bb/"
C4BB_CODESYSTEM = CARIN + "CodeSystem/"
C4BB_PROFILE = CARIN + "StructureDefinition/C4BB-"
"""A CARIN Blue Button profile's URL is this plus its name (`…C4BB-Patient`), unversioned as BB2 sends it."""

MBI_SYSTEM = "http://hl7.org/fhir/sid/us-mbi"
NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
NDC_SYSTEM = "http://hl7.org/fhir/sid/ndc"
ICD10CM_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10"
ICD10PCS_SYSTEM = "http://www.cms.gov/Medicare/Coding/ICD10"
NUCC_SYSTEM = "http://nucc.org/provider-taxonomy"
