import { Controller, Get } from '@nestjs/common';
import { KeyService } from './key.service';

/** `GET /security/public-key-certificates`: the simulator's own certificates (no auth). */
@Controller('security')
export class SecurityController {
  constructor(private readonly keys: KeyService) {}

  @Get('public-key-certificates')
  certificates() {
    return this.keys.certificates();
  }
}
