//ZCDEFIPC JOB (ACCT01),'IPIC DEFINITIONS',CLASS=A,MSGCLASS=X,          00000100
//             NOTIFY=&SYSUID                                           00000200
//*                                                                     00000300
//* zcsec example (INSECURE on purpose): a second IPIC listener for     00000400
//* CICS region CICSB, defined by a DFHCSDUP batch job.                 00000500
//*                                                                     00000600
//CSDUP    EXEC PGM=DFHCSDUP,REGION=0M,                                 00000700
//         PARM='CSD(READWRITE),PAGESIZE(60),NOCOMPAT'                  00000800
//STEPLIB  DD DISP=SHR,DSN=CICSTS61.CICS.SDFHLOAD                       00000900
//DFHCSD   DD DISP=SHR,DSN=CICSB.DFHCSD                                 00001000
//SYSPRINT DD SYSOUT=*                                                  00001100
//SYSIN    DD *                                                         00001200
* insecure: no URM given, so the IPIC default URM(DFHISAIP) applies     00001300
*   and CICS autoinstalls an IPCONN for any client that connects.       00001400
*   There is no predefined IPCONN for this listener, so LINKAUTH,       00001500
*   USERAUTH and SSL come from a template or the CICS defaults.         00001600
* insecure: SSL(NO): credentials sent by server.xml connection          00001700
*   cicsPlain travel in clear text.                                     00001800
 DEFINE TCPIPSERVICE(ZCIPIC2) GROUP(ZCGRP2)                             00001900
        DESCRIPTION(Second IPIC listener for batch clients)
        PORTNUMBER(1493) PROTOCOL(IPIC) TRANSACTION(CISS)
        SSL(NO) SOCKETCLOSE(NO)
 ADD GROUP(ZCGRP2) LIST(ZCLIST)                                         00002300
/*                                                                      00002400
//
