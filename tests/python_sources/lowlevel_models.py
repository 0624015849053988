"""A low-level MCP server whose tool names are str-Enum members and whose schemas come from pydantic models."""

from enum import Enum
from typing import Optional

from mcp.server.lowlevel import Server
from mcp.types import Tool, ToolAnnotations
from pydantic import BaseModel, Field

server = Server("garden")


class GardenTools(str, Enum):
    WATER = "water_bed"
    HARVEST = "harvest_bed"


class Water(BaseModel):
    bed: str = Field(description="Bed code, like B2")
    litres: float = Field(1.0, ge=0.1, le=20)


class Harvest(BaseModel):
    """Which bed to harvest."""

    bed: str
    crop: Optional[str] = None


class Plant(BaseModel):
    bed: str
    seeds: list[str]


class PlantHandler:
    name = "plant_bed"
    description = "Sow seeds in one bed."

    def definition(self) -> Tool:
        return Tool(name=self.name, description=self.description, inputSchema=Plant.model_json_schema())


TOOLS = [
    Tool(
        name=GardenTools.WATER,
        description="Water one bed of the garden",
        inputSchema=Water.model_json_schema(),
        annotations=ToolAnnotations(idempotentHint=False),
    ),
    Tool(
        name=GardenTools.HARVEST.value,
        description="Harvest what is ripe in one bed",
        inputSchema=Harvest.model_json_schema(),
    ),
]


@server.list_tools()
async def list_tools() -> list[Tool]:
    return [*TOOLS, PlantHandler().definition()]
