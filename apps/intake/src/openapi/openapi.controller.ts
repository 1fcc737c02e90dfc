import { Controller, Get } from '@nestjs/common';
import { INTAKE_OPENAPI } from './intake-openapi.document';

/** `GET /v1/openapi.json`: the API description, unauthenticated (it holds no data). */
@Controller('v1')
export class OpenApiController {
  @Get('openapi.json')
  document() {
    return INTAKE_OPENAPI;
  }
}
